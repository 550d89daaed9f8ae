package dev.ringmeter.server.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;

import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads OTLP JSON (the OTLP/HTTP specification's JSON encoding) into a protobuf message builder, streaming with
 * Jackson. OTLP JSON is proto3 JSON with these differences, each handled here: {@code traceId}, {@code spanId} and
 * {@code parentSpanId} are hex strings, not base64 (other bytes fields, e.g. an attribute's {@code bytesValue}, stay
 * base64); enums are integers (names are accepted too); field names are lowerCamelCase (the proto's own names are
 * accepted too); unknown fields are ignored. As in proto3 JSON, 64-bit integers come as strings or numbers, and
 * {@code null} means the field is absent. Anything else that does not fit the message's schema is an
 * {@link OtlpException} naming the field.
 * <p>
 * Threading: stateless but for a cache of field names per message type (bounded by the OTLP schema); any thread.
 */
final class OtlpJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final Map<Descriptor, Map<String, FieldDescriptor>> FIELDS = new ConcurrentHashMap<>();

    private OtlpJson() {
    }

    /**
     * @param body    OTLP JSON of one export request.
     * @param builder of that request's message, filled.
     * @throws OtlpException if the body is not OTLP JSON of that message.
     * @throws IOException   if the body cannot be read.
     */
    static void read(final InputStream body, final Message.Builder builder) throws IOException {
        try (JsonParser p = FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new OtlpException("the body must be one JSON object");
            }
            message(p, builder);
            if (p.nextToken() != null) {
                throw new OtlpException("the body holds more than one JSON value");
            }
        } catch (final com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new OtlpException("malformed JSON: " + e.getOriginalMessage() + " at line "
                + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        }
    }

    /** Reads the fields of an object whose START_OBJECT is the current token. */
    private static void message(final JsonParser p, final Message.Builder b) throws IOException {
        final Map<String, FieldDescriptor> fields = FIELDS.computeIfAbsent(b.getDescriptorForType(), OtlpJson::names);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            final FieldDescriptor f = fields.get(p.currentName());
            final JsonToken t = p.nextToken();
            if (f == null) {
                p.skipChildren();   // unknown fields are ignored
                continue;
            }
            if (t == JsonToken.VALUE_NULL) {
                continue;
            }
            if (f.isRepeated()) {
                if (t != JsonToken.START_ARRAY) {
                    throw new OtlpException(f.getJsonName() + " must be an array");
                }
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    b.addRepeatedField(f, value(p, b, f));
                }
            } else {
                b.setField(f, value(p, b, f));
            }
        }
    }

    private static Object value(final JsonParser p, final Message.Builder b, final FieldDescriptor f)
        throws IOException {
        final JsonToken t = p.currentToken();
        try {
            switch (f.getJavaType()) {
                case MESSAGE:
                    if (t != JsonToken.START_OBJECT) {
                        throw new OtlpException(f.getJsonName() + " must be an object");
                    }
                    final Message.Builder sub = b.newBuilderForField(f);
                    message(p, sub);
                    return sub.build();
                case INT:
                    return (int)integer(p, f, isUnsigned(f) ? 0xFFFF_FFFFL : Integer.MAX_VALUE,
                        isUnsigned(f) ? 0 : Integer.MIN_VALUE);
                case LONG:
                    return isUnsigned(f) ? unsignedLong(p, f) : integer(p, f, Long.MAX_VALUE, Long.MIN_VALUE);
                case DOUBLE:
                    return floating(p, f);
                case FLOAT:
                    return (float)floating(p, f);
                case BOOLEAN:
                    if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
                        throw new OtlpException(f.getJsonName() + " must be true or false");
                    }
                    return t == JsonToken.VALUE_TRUE;
                case STRING:
                    return text(p, f);
                case BYTE_STRING:
                    return isId(f) ? hex(text(p, f), f) : ByteString.copyFrom(Base64.getDecoder().decode(text(p, f)));
                case ENUM:
                    return enumValue(p, f);
                default:
                    throw new IllegalStateException("no such type " + f.getJavaType());
            }
        } catch (final IllegalArgumentException e) {   // Base64, number formats
            throw new OtlpException(f.getJsonName() + " is not valid: " + e.getMessage());
        }
    }

    private static boolean isUnsigned(final FieldDescriptor f) {
        switch (f.getType()) {
            case UINT32:
            case FIXED32:
            case UINT64:
            case FIXED64:
                return true;
            default:
                return false;
        }
    }

    /** The ids of traces and spans (and of the links and exemplars that name them): hex in OTLP JSON. */
    private static boolean isId(final FieldDescriptor f) {
        final String n = f.getName();
        return n.equals("trace_id") || n.equals("span_id") || n.equals("parent_span_id");
    }

    private static String text(final JsonParser p, final FieldDescriptor f) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw new OtlpException(f.getJsonName() + " must be a string");
        }
        return p.getText();
    }

    private static long integer(final JsonParser p, final FieldDescriptor f, final long max, final long min)
        throws IOException {
        final long v;
        final JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new OtlpException(f.getJsonName() + " is out of range: " + p.getText());
            }
            v = p.getLongValue();
        } else if (t == JsonToken.VALUE_STRING) {
            v = Long.parseLong(p.getText().trim());
        } else {
            throw new OtlpException(f.getJsonName() + " must be an integer (a number or a string)");
        }
        if (v > max || v < min) {
            throw new OtlpException(f.getJsonName() + " is out of range: " + v);
        }
        return v;
    }

    private static long unsignedLong(final JsonParser p, final FieldDescriptor f) throws IOException {
        final JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_STRING) {
            final String s = p.getText().trim();
            if (s.startsWith("-")) {
                throw new OtlpException(f.getJsonName() + " must not be negative: " + s);
            }
            return Long.parseUnsignedLong(s);
        }
        throw new OtlpException(f.getJsonName() + " must be an integer (a number or a string)");
    }

    private static double floating(final JsonParser p, final FieldDescriptor f) throws IOException {
        final JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getDoubleValue();
        }
        if (t == JsonToken.VALUE_STRING) {
            switch (p.getText()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    return Double.parseDouble(p.getText().trim());
            }
        }
        throw new OtlpException(f.getJsonName() + " must be a number");
    }

    private static EnumValueDescriptor enumValue(final JsonParser p, final FieldDescriptor f) throws IOException {
        final JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return f.getEnumType().findValueByNumberCreatingIfUnknown(p.getIntValue());
        }
        if (t == JsonToken.VALUE_STRING) {
            final EnumValueDescriptor v = f.getEnumType().findValueByName(p.getText());
            if (v != null) {
                return v;
            }
        }
        throw new OtlpException(f.getJsonName() + " must be an enum's number or name, not " + p.getText());
    }

    private static ByteString hex(final String s, final FieldDescriptor f) {
        if ((s.length() & 1) != 0) {
            throw new OtlpException(f.getJsonName() + " must be hex digits, two per byte: " + s);
        }
        final byte[] bytes = new byte[s.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            final int hi = Character.digit(s.charAt(2 * i), 16);
            final int lo = Character.digit(s.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new OtlpException(f.getJsonName() + " must be hex digits, two per byte: " + s);
            }
            bytes[i] = (byte)(hi << 4 | lo);
        }
        return ByteString.copyFrom(bytes);
    }

    private static Map<String, FieldDescriptor> names(final Descriptor d) {
        final Map<String, FieldDescriptor> m = new HashMap<>();
        for (final FieldDescriptor f : d.getFields()) {
            m.put(f.getName(), f);
            m.put(f.getJsonName(), f);
        }
        return m;
    }
}
