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

    CliException(final int exitCode, final String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
