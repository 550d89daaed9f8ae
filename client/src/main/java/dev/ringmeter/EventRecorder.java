package dev.ringmeter;

import java.util.concurrent.TimeUnit;

/**
 * What a service records through: the in-process store in {@code ringmeter-core} and the remote HTTP client both
 * implement it, so a service switches between them by configuration.
 * <p>
 * Threading: every method may be called from any number of threads at once. {@link #record(Event)} copies the
 * event and returns; it takes no lock and allocates nothing in steady state.
 */
public interface EventRecorder extends AutoCloseable {

    /**
     * Records one event. The event is copied; the caller may reuse it as soon as this returns.
     *
     * @param event to record.
     * @return true if the event was accepted, false if it was dropped because the recorder is full and its
     * policy is to drop (the drop is counted).
     * @throws InvalidEventException if a required field is missing, a string is too long or a dimension's
     *                               cardinality limit is reached; nothing is recorded then.
     * @throws IllegalStateException if the recorder is closed.
     */
    boolean record(Event event);

    /**
     * Records one custom metric sample.
     *
     * @param sample to record; copied.
     * @return true if accepted, false if dropped.
     * @throws InvalidEventException if a field is bad; nothing is recorded then.
     */
    boolean record(MetricSample sample);

    /**
     * Waits until everything recorded before this call is acknowledged: journaled where the recorder is durable,
     * and visible to queries.
     *
     * @param timeout how long to wait at most.
     * @param unit    of the timeout.
     * @return true if everything was acknowledged in time.
     * @throws InterruptedException if interrupted while waiting.
     */
    boolean flush(long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Drains what was recorded and releases the recorder's resources. Idempotent.
     */
    @Override
    void close();
}
