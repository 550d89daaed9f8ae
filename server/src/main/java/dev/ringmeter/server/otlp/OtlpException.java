package dev.ringmeter.server.otlp;

/**
 * An OTLP request whose body is not what OTLP/HTTP allows (bad protobuf, bad OTLP JSON, too many items): a 400 with
 * a {@code google.rpc.Status} body saying why, which OTLP clients do not retry.
 * <p>
 * Threading: immutable.
 */
final class OtlpException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, for the reply.
     */
    OtlpException(final String message) {
        super(message, null, false, false);
    }
}
