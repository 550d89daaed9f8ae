package dev.ringmeter;

import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * How a failed call is recorded: the one place of the rule, used by {@link CallTimer} and by the framework
 * integrations (Spring AI, LangChain4j) alike. Status {@link Status#TIMEOUT} for a {@link TimeoutException} or
 * {@link java.net.SocketTimeoutException} (including {@link java.net.http.HttpTimeoutException}),
 * {@link Status#CANCELLED} for a {@link CancellationException} or {@link InterruptedException}, else
 * {@link Status#ERROR}; the error type is the exception's simple class name (its full name for an anonymous class).
 * <p>
 * Threading: stateless; any thread. Allocates nothing (the JVM caches a class's simple name after its first use).
 */
public final class Failures {
    private Failures() {
    }

    /**
     * @param failure what the call threw, or null for an unknown failure.
     * @return the status of a call that failed with it.
     */
    public static Status statusOf(final Throwable failure) {
        if (failure instanceof TimeoutException || failure instanceof java.net.SocketTimeoutException
            || failure instanceof java.net.http.HttpTimeoutException) {
            return Status.TIMEOUT;
        }
        if (failure instanceof CancellationException || failure instanceof InterruptedException) {
            return Status.CANCELLED;
        }
        return Status.ERROR;
    }

    /**
     * @param failure what the call threw, or null for an unknown failure.
     * @return the error type of a call that failed with it.
     */
    public static String typeOf(final Throwable failure) {
        final Class<?> type = failure == null ? Throwable.class : failure.getClass();
        final String name = type.getSimpleName();
        return name.isEmpty() ? type.getName() : name;
    }

    /**
     * Marks an event as failed with an exception.
     *
     * @param event   to mark.
     * @param failure what the call threw, or null for an unknown failure.
     * @return the event.
     */
    public static Event fail(final Event event, final Throwable failure) {
        return event.status(statusOf(failure)).errorType(typeOf(failure));
    }
}
