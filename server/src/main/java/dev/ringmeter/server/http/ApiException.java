package dev.ringmeter.server.http;

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

    /** @return 400 for a body that is not well-formed JSON, saying where. */
    public static ApiException malformed(final String message, final int index, final long line, final long column,
                                  final long offset) {
        return new ApiException(400, message, null, index, line, column, offset, 0, null);
    }

    /** @return 422 naming the field (and the index of the item in a batch, or -1). */
    public static ApiException invalid(final String field, final int index, final String message) {
        return new ApiException(422, message, field, index, -1, -1, -1, 0, null);
    }

    /** @return 413 for a limit passed; field and index where they apply. */
    public static ApiException tooLarge(final String field, final int index, final String message) {
        return new ApiException(413, message, field, index, -1, -1, -1, 0, null);
    }

    /** @return 404. */
    public static ApiException notFound(final String field, final String message) {
        return new ApiException(404, message, field, -1, -1, -1, -1, 0, null);
    }

    /** @return 401. */
    static ApiException unauthorized() {
        return new ApiException(401, "missing or wrong bearer token", null, -1, -1, -1, -1, 0, null);
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
