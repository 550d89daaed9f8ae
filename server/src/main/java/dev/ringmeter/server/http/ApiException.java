package dev.ringmeter.server.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ringmeter.InvalidEventException;

import java.util.List;

/**
 * A request the server refuses, with the HTTP status and the body {@code {"error": ..., "field": ..., "index": n}}
 * that the API promises. Thrown by the request-handling classes and turned into a reply by {@link ErrorReplies}.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String field;
    private final int index;
    private final long line;
    private final long column;
    private final long offset;
    private final int retryAfterSeconds;
    private final transient List<String> valid;

    private ApiException(final int status, final String message, final String field, final int index, final long line,
                         final long column, final long offset, final int retryAfterSeconds, final List<String> valid) {
        super(message, null, false, false);   // no stack trace: these are answers, not faults
        this.status = status;
        this.field = field;
        this.index = index;
        this.line = line;
        this.column = column;
        this.offset = offset;
        this.retryAfterSeconds = retryAfterSeconds;
        this.valid = valid;
    }

    /** @return 400 naming a query or path parameter. */
    public static ApiException badParameter(final String parameter, final String message) {
        return new ApiException(400, message, parameter, -1, -1, -1, -1, 0, null);
    }

    /** @return 400 naming a parameter and listing its valid values. */
    public static ApiException badParameter(final String parameter, final String message, final List<String> valid) {
        return new ApiException(400, message, parameter, -1, -1, -1, -1, 0, valid);
    }

    /**
     * @param message what is wrong; the line and column are appended when known.
     * @param index   of the item in a batch, or -1.
     * @param where   in the body, or null when unknown.
     * @return 400 for a body that is not well-formed (JSON, NDJSON or gzip), saying where.
     */
    public static ApiException malformed(final String message, final int index, final JsonLocation where) {
        if (where == null) {
            return new ApiException(400, message, null, index, -1, -1, -1, 0, null);
        }
        final long line = where.getLineNr();
        final long column = where.getColumnNr();
        return new ApiException(400, message + " (line " + line + ", column " + column + ")", null, index, line,
            column, where.getByteOffset(), 0, null);
    }

    /**
     * @param e     whatever the parser threw: a syntax error, or a token past its constraints (a number of thousands
     *              of digits, a name of tens of thousands of characters, nesting too deep).
     * @param index of the item in a batch it occurred in, or -1.
     * @return 400 for malformed JSON, saying where when the parser knows.
     */
    public static ApiException malformedJson(final JsonProcessingException e, final int index) {
        return malformed("malformed JSON: " + e.getOriginalMessage(), index, e.getLocation());
    }

    /**
     * 422: a value in the request breaks a rule (of the API's shape, of an event or a price, or of the store's
     * dictionary: a string past the length limit, a dimension past its cardinality limit).
     *
     * @param field   the offending field, or null when the item as a whole has the wrong shape.
     * @param index   of the item in a batch, or -1.
     * @param message what is wrong.
     * @return 422 naming the field and the index.
     */
    public static ApiException invalid(final String field, final int index, final String message) {
        return new ApiException(422, message, field, index, -1, -1, -1, 0, null);
    }

    /**
     * @param e     the rule broken, naming the field.
     * @param index of the item in a batch, or -1.
     * @return 422 naming the field and the index.
     */
    public static ApiException invalid(final InvalidEventException e, final int index) {
        return invalid(e.field(), index, e.getMessage());
    }

    /**
     * 413: the request as a whole is too large (its body's bytes, before or after inflating, or its number of items).
     * Names no field and no index: no one item is at fault, and cutting one out would not help.
     *
     * @param message the limit passed.
     * @return 413.
     */
    public static ApiException tooLarge(final String message) {
        return new ApiException(413, message, null, -1, -1, -1, -1, 0, null);
    }

    /**
     * 408: the body did not arrive in time. The reply closes the connection, so nothing of the request is left.
     *
     * @param message how long the server waited.
     * @return 408.
     */
    public static ApiException requestTimeout(final String message) {
        return new ApiException(408, message, null, -1, -1, -1, -1, 0, null);
    }

    /**
     * @param message why the request cannot be done in the store's state (409).
     * @return the refusal.
     */
    public static ApiException conflict(final String message) {
        return new ApiException(409, message, null, -1, -1, -1, -1, 0, null);
    }

    /** @return 404. */
    public static ApiException notFound(final String field, final String message) {
        return new ApiException(404, message, field, -1, -1, -1, -1, 0, null);
    }

    /** @return 409: the state of what the request names does not allow it. */
    public static ApiException conflict(final String field, final String message) {
        return new ApiException(409, message, field, -1, -1, -1, -1, 0, null);
    }

    /** @return 401. */
    static ApiException unauthorized() {
        return new ApiException(401, "missing or wrong bearer token (Authorization: Bearer), and no live session cookie", null, -1, -1, -1, -1, 0, null);
    }

    /** @return 415. */
    public static ApiException unsupportedMediaType(final String message) {
        return new ApiException(415, message, null, -1, -1, -1, -1, 0, null);
    }

    /** @return 429 with Retry-After. */
    public static ApiException tooManyRequests(final String message, final int retryAfterSeconds) {
        return new ApiException(429, message, null, -1, -1, -1, -1, retryAfterSeconds, null);
    }

    /** @return 503 with Retry-After. */
    public static ApiException unavailable(final String message, final int retryAfterSeconds) {
        return new ApiException(503, message, null, -1, -1, -1, -1, retryAfterSeconds, null);
    }

    public int status() {
        return status;
    }

    /** @return the offending field or parameter, or null. */
    public String field() {
        return field;
    }

    /** @return the index of the offending item in a batch, or -1. */
    public int index() {
        return index;
    }

    /** @return line of a JSON syntax error (1-based), or -1. */
    public long line() {
        return line;
    }

    /** @return column of a JSON syntax error (1-based), or -1. */
    public long column() {
        return column;
    }

    /** @return byte offset of a JSON syntax error, or -1. */
    public long offset() {
        return offset;
    }

    /** @return seconds for the Retry-After header, or 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** @return the valid values of the field, or null. */
    public List<String> valid() {
        return valid;
    }
}
