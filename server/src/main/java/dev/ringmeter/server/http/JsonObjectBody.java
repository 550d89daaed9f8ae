package dev.ringmeter.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The body of a command route (create a run, put an alert rule ...): one JSON object of known fields, read through
 * {@link RequestBody} (its limits and timeout), refused with a 4xx naming the field for anything else.
 * <p>
 * Threading: stateless; any request thread.
 */
public final class JsonObjectBody {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonObjectBody() {
    }

    /**
     * @param ctx       the request.
     * @param maxBytes  most bytes of the body.
     * @param timeoutMs how long the body may take to arrive.
     * @param fields    the fields it may hold.
     * @return the object.
     * @throws ApiException 400 for malformed JSON, 422 for a body that is not an object or names another field, and
     *                      what {@link RequestBody#read} throws.
     * @throws IOException  if the connection fails.
     */
    public static JsonNode read(final Context ctx, final long maxBytes, final long timeoutMs, final String... fields)
        throws IOException {
        final JsonNode body;
        try (InputStream in = RequestBody.read(ctx, maxBytes, timeoutMs)) {
            body = MAPPER.readTree(in);
        } catch (final JsonProcessingException e) {
            throw ApiException.malformedJson(e, -1);
        }
        if (body == null || !body.isObject()) {
            throw ApiException.invalid(null, -1, "the body must be a JSON object");
        }
        final List<String> valid = Arrays.asList(fields);
        final Iterator<String> names = body.fieldNames();
        while (names.hasNext()) {
            final String name = names.next();
            if (!valid.contains(name)) {
                throw ApiException.invalid(name, -1, "unknown field '" + name + "'; valid: " + String.join(", ",
                    valid));
            }
        }
        return body;
    }

    /**
     * @return the field's string, or null when absent or null.
     * @throws ApiException 422 naming the field when it is not a string.
     */
    public static String text(final JsonNode body, final String field) {
        final JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.invalid(field, -1, field + " must be a string");
        }
        return v.textValue();
    }
}
