package dev.ringmeter.server.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ringmeter.InvalidEventException;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads one typed field value from a parser positioned on it, throwing an {@link InvalidEventException} naming the
 * field when the JSON type is wrong. Shared by the event, metric and price readers. Only the JSON shape is checked
 * here: the rules of the values themselves are the setters' of {@code Event} and {@code MetricSample}, and
 * {@code EventRules}' and {@code PriceRules}' of the store.
 * <p>
 * Threading: stateless.
 */
final class FieldValues {
    private FieldValues() {
    }

    /** @return true if the current value is JSON null (the field is then absent). */
    static boolean isNull(final JsonParser p) {
        return p.currentToken() == JsonToken.VALUE_NULL;
    }

    static String string(final JsonParser p, final String field) throws IOException {
        requireString(p, field);
        return p.getText();
    }

    /**
     * As {@link #string(JsonParser, String)}, without making a String for a value the cache holds.
     *
     * @param texts the batch's string values.
     */
    static String string(final JsonParser p, final String field, final TextCache texts) throws IOException {
        requireString(p, field);
        return texts.text(p);
    }

    private static void requireString(final JsonParser p, final String field) {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw new InvalidEventException(field, "must be a string");
        }
    }

    static double number(final JsonParser p, final String field) throws IOException {
        final JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new InvalidEventException(field, "must be a number");
        }
        return p.getDoubleValue();   // a number past the range of a double is infinite: the value's rule refuses it
    }

    static long wholeNumber(final JsonParser p, final String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new InvalidEventException(field, "must be a whole number");
        }
        final JsonParser.NumberType type = p.getNumberType();
        if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
            throw new InvalidEventException(field, "is out of range");
        }
        return p.getLongValue();
    }

    static boolean bool(final JsonParser p, final String field) {
        final JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw new InvalidEventException(field, "must be true or false");
        }
        return t == JsonToken.VALUE_TRUE;
    }

    /**
     * @return epoch milliseconds from an ISO-8601 string ({@code 2025-01-01T12:00:00Z}, with an offset or not) or a
     * whole number of epoch milliseconds.
     */
    static long timestampMs(final JsonParser p, final String field) throws IOException {
        final JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return wholeNumber(p, field);
        }
        if (t == JsonToken.VALUE_STRING) {
            final String text = p.getText();
            try {
                return Instant.parse(text).toEpochMilli();
            } catch (final DateTimeParseException | ArithmeticException e) {
                throw new InvalidEventException(field, "must be an ISO-8601 instant (2025-01-01T12:00:00Z) or epoch "
                    + "milliseconds");
            }
        }
        throw new InvalidEventException(field, "must be an ISO-8601 string or epoch milliseconds");
    }

    /** Moves onto the value of an object field, which must be a JSON object. */
    static void startObject(final JsonParser p, final String field) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new InvalidEventException(field, "must be a JSON object");
        }
    }
}
