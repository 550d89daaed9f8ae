package dev.ringmeter.bench.http;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

/**
 * Sends requests at a constant rate, open loop, corrected for coordinated omission: request {@code i} is due at
 * {@code start + i / rate}; the sender sends it then (or at once, if it is behind) with {@code sendAsync}, so a
 * slow reply never delays the next send, and its latency is measured from the time it was due, not from the time
 * it was sent. A stall of the server (or of the sender) therefore shows in the latency of every request it delayed,
 * as a user at that rate would see it.
 * <p>
 * At most {@code maxInFlight} requests are outstanding, so the HttpClient keeps at most that many keep-alive
 * connections (as wrk2 keeps a fixed set); past that the sender waits, still measuring from the due time, so the
 * wait counts against the server. Without the bound, a stall makes the JDK client open a new connection per
 * request due, and the client's and Jetty's threads then swamp two cores.
 * <p>
 * Every run is bounded: the schedule ends after warm-up + seconds, and replies are awaited at most
 * {@link #DRAIN_SECONDS} more; requests still outstanding then are counted as unfinished.
 * <p>
 * Threading: {@link #run} on one thread (the sender); completions are recorded on the HttpClient's threads.
 */
final class OpenLoopRunner {
    /** How long replies are awaited after the last send. */
    static final long DRAIN_SECONDS = 15;
    private static final long SPIN_NS = 60_000;

    private final HttpClient client;
    private final int ratePerSecond;
    private final int warmupSeconds;
    private final int seconds;
    private final int maxInFlight;

    /** The largest delay of a send past its due time in the last run, in ns: the sender's own lag. */
    private long maxSendLagNs;
    /** Requests of the measured part still outstanding when the last run gave up waiting. */
    private int unfinished;

    /**
     * @param client        the client, HTTP/1.1 (it opens a keep-alive connection per request in flight).
     * @param ratePerSecond requests per second, 1 to 1,000,000.
     * @param warmupSeconds seconds sent at the rate first, not measured.
     * @param seconds       seconds measured.
     * @param maxInFlight   most requests outstanding at once: the connections.
     */
    OpenLoopRunner(final HttpClient client, final int ratePerSecond, final int warmupSeconds, final int seconds,
                   final int maxInFlight) {
        this.client = client;
        this.ratePerSecond = ratePerSecond;
        this.warmupSeconds = warmupSeconds;
        this.seconds = seconds;
        this.maxInFlight = maxInFlight;
    }

    /**
     * Runs the schedule.
     *
     * @param name     of the series.
     * @param requests the request number {@code i} (requests are immutable: return pre-built ones).
     * @return the measured part.
     * @throws InterruptedException if interrupted.
     */
    LatencyReport run(final String name, final LongFunction<HttpRequest> requests) throws InterruptedException {
        final LatencyReport report = new LatencyReport(name);
        final Semaphore permits = new Semaphore(maxInFlight);
        final long warmupCount = (long)ratePerSecond * warmupSeconds;
        final long total = warmupCount + (long)ratePerSecond * seconds;
        final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        final long lastDueNs = startNs + TimeUnit.SECONDS.toNanos(warmupSeconds + seconds);
        maxSendLagNs = 0;
        for (long i = 0; i < total; i++) {
            final long dueNs = startNs + i * 1_000_000_000L / ratePerSecond;
            waitUntil(dueNs);
            final long waitNs = lastDueNs + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS) - System.nanoTime();
            if (!permits.tryAcquire(Math.max(0, waitNs), TimeUnit.NANOSECONDS)) {
                break;   // maxInFlight requests outstanding past the end of the schedule: give up
            }
            final boolean measured = i >= warmupCount;
            final long lagNs = System.nanoTime() - dueNs;
            if (measured && lagNs > maxSendLagNs) {
                maxSendLagNs = lagNs;
            }
            client.sendAsync(requests.apply(i), HttpResponse.BodyHandlers.discarding())
                .whenComplete((reply, error) -> {
                    final long latencyNs = System.nanoTime() - dueNs;
                    if (measured) {
                        if (error != null) {
                            report.failed(error);
                        } else {
                            report.record(latencyNs, reply.statusCode());
                        }
                    }
                    permits.release();
                });
        }
        final long drainNs = Math.max(0, lastDueNs + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS) - System.nanoTime());
        if (permits.tryAcquire(maxInFlight, drainNs, TimeUnit.NANOSECONDS)) {
            unfinished = 0;
        } else {
            unfinished = maxInFlight - permits.availablePermits();
        }
        return report;
    }

    /** @return the largest delay of a measured send past its due time in the last run, in milliseconds. */
    double maxSendLagMs() {
        return maxSendLagNs / 1e6;
    }

    /** @return requests still outstanding when the last run stopped waiting for them. */
    int unfinished() {
        return unfinished;
    }

    private static void waitUntil(final long dueNs) {
        long remainingNs;
        while ((remainingNs = dueNs - System.nanoTime()) > 0) {
            if (remainingNs > SPIN_NS) {
                LockSupport.parkNanos(remainingNs - SPIN_NS);
            } else {
                Thread.onSpinWait();
            }
        }
    }
}
