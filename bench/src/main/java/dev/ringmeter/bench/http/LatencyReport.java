package dev.ringmeter.bench.http;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The latencies (an HdrHistogram in microseconds, 3 significant digits, up to 2 minutes) and the outcomes (HTTP
 * status codes, and exceptions by class) of one series of requests.
 * <p>
 * Threading: {@link #record} and {@link #failed} may be called from any number of threads at once (the
 * HttpClient's completion threads); read the figures once the recording threads are done.
 */
final class LatencyReport {
    private static final long HIGHEST_US = TimeUnit.MINUTES.toMicros(2);

    private final String name;
    private final Histogram latencyUs = new ConcurrentHistogram(HIGHEST_US, 3);
    private final AtomicLongArray statuses = new AtomicLongArray(600);
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

    /**
     * @param name of the series, e.g. {@code POST /api/v1/events}.
     */
    LatencyReport(final String name) {
        this.name = name;
    }

    /** @return the name of the series. */
    String name() {
        return name;
    }

    /**
     * Records one reply.
     *
     * @param latencyNs from the request's intended start to its reply.
     * @param status    the HTTP status of the reply.
     */
    void record(final long latencyNs, final int status) {
        latencyUs.recordValue(Math.min(HIGHEST_US, Math.max(0, TimeUnit.NANOSECONDS.toMicros(latencyNs))));
        statuses.incrementAndGet(status >= 0 && status < 600 ? status : 0);
    }

    /**
     * Records a request that got no reply (refused connection, timeout, ...); it has no latency.
     *
     * @param error what the client threw.
     */
    void failed(final Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause != cause.getCause()) {
            cause = cause.getCause();
        }
        failures.computeIfAbsent(cause.getClass().getSimpleName(), k -> new LongAdder()).increment();
    }

    /** @return the replies recorded (whatever their status). */
    long replies() {
        return latencyUs.getTotalCount();
    }

    /**
     * @param status an HTTP status.
     * @return the replies with that status.
     */
    long status(final int status) {
        return statuses.get(status);
    }

    /** @return the requests that got no reply. */
    long failures() {
        return failures.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /**
     * @param percentile 0 to 100.
     * @return the latency at that percentile in milliseconds.
     */
    double percentileMs(final double percentile) {
        return latencyUs.getValueAtPercentile(percentile) / 1000.0;
    }

    /** @return the largest latency in milliseconds. */
    double maxMs() {
        return latencyUs.getMaxValue() / 1000.0;
    }

    /** @return the mean latency in milliseconds. */
    double meanMs() {
        return latencyUs.getMean() / 1000.0;
    }

    /** @return the outcomes, e.g. {@code 202=30000} or {@code 202=29990 429=10 HttpTimeoutException=1}. */
    String outcomes() {
        final StringBuilder b = new StringBuilder();
        for (int s = 0; s < statuses.length(); s++) {
            final long n = statuses.get(s);
            if (n > 0) {
                b.append(b.length() == 0 ? "" : " ").append(s).append('=').append(n);
            }
        }
        for (final Map.Entry<String, LongAdder> e : new TreeMap<>(failures).entrySet()) {
            b.append(b.length() == 0 ? "" : " ").append(e.getKey()).append('=').append(e.getValue().sum());
        }
        return b.length() == 0 ? "none" : b.toString();
    }

    /**
     * Prints the header of a latency table.
     *
     * @param out where to.
     */
    static void header(final PrintStream out) {
        out.printf(Locale.ROOT, "  %-44s %9s %8s %8s %8s %8s %9s %9s %9s  %s%n", "series", "replies", "p50 ms",
            "p90 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms", "mean ms", "outcomes");
    }

    /**
     * Prints this series as one row of a latency table.
     *
     * @param out where to.
     */
    void row(final PrintStream out) {
        out.printf(Locale.ROOT, "  %-44s %9d %8.3f %8.3f %8.3f %8.3f %9.3f %9.3f %9.3f  %s%n", name, replies(),
            percentileMs(50), percentileMs(90), percentileMs(95), percentileMs(99), percentileMs(99.9), maxMs(),
            meanMs(), outcomes());
    }

    /**
     * Prints the ratio of this series to a baseline at each percentile, as one row of the table.
     *
     * @param out      where to.
     * @param label    of the row, e.g. {@code ratio events / health}.
     * @param baseline e.g. GET /health at the same rate.
     */
    void ratioRow(final PrintStream out, final String label, final LatencyReport baseline) {
        out.printf(Locale.ROOT, "  %-44s %9s %7.2fx %7.2fx %7.2fx %7.2fx %8.2fx %8.2fx %8.2fx%n",
            label, "", ratio(50, baseline), ratio(90, baseline),
            ratio(95, baseline), ratio(99, baseline), ratio(99.9, baseline), maxMs() / baseline.maxMs(),
            meanMs() / baseline.meanMs());
    }

    private double ratio(final double percentile, final LatencyReport baseline) {
        return percentileMs(percentile) / baseline.percentileMs(percentile);
    }
}
