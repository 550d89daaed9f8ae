package dev.ringmeter.server.cli;

/**
 * A command's failure, with the exit code it ends the process with ({@link RingmeterCommand#EXIT_FAILED},
 * {@link RingmeterCommand#EXIT_UNREACHABLE}) and the message printed to standard error. No stack trace: these are
 * answers to the user, not faults.
 * <p>
 * Threading: immutable.
 */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;
    private final int httpStatus;

    CliException(final int exitCode, final String message) {
        this(exitCode, message, 0);
    }

    /**
     * @param exitCode   of the process.
     * @param message    for the user.
     * @param httpStatus of the server's reply that failed the command, 0 for none.
     */
    CliException(final int exitCode, final String message, final int httpStatus) {
        super(message, null, false, false);
        this.exitCode = exitCode;
        this.httpStatus = httpStatus;
    }

    /** @return the status of the server's reply that failed the command, 0 for none. */
    int httpStatus() {
        return httpStatus;
    }

    int exitCode() {
        return exitCode;
    }
}
