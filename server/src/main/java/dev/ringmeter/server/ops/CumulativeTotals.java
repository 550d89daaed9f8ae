package dev.ringmeter.server.ops;

import dev.ringmeter.CacheResult;
import dev.ringmeter.Event;
import dev.ringmeter.Status;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-model totals since the server started, for the Prometheus exposition: counters and fixed-bucket histograms
 * must never go down, which the store's windowed aggregates cannot promise once the server has run longer than their
 * retention. Counts every event recorded through this server, whatever its timestamp; reset on restart (Prometheus
 * treats that as a counter reset).
 * <p>
 * Threading: {@link #add} from any request thread (one short lock per model per event); {@link #snapshot()} from
 * any thread, a consistent copy per model.
 */
public final class CumulativeTotals {
    /** OpenTelemetry GenAI semantic conventions: advisory buckets of gen_ai.client.operation.duration, seconds. */
    static final double[] DURATION_BUCKETS_S = {
        0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
    };
    /** OpenTelemetry GenAI: advisory buckets of gen_ai.server.time_to_first_token, seconds. */
    static final double[] TTFT_BUCKETS_S = {
        0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
    };
    /** OpenTelemetry GenAI: advisory buckets of gen_ai.client.token.usage, tokens. */
    static final double[] TOKEN_BUCKETS = {
        1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
    };

    private final ConcurrentHashMap<String, ModelTotals> models = new ConcurrentHashMap<>();

    /**
     * @param e       an event just recorded.
     * @param costUsd its cost (its own or from the price table), NaN if unknown.
     */
    public void add(final Event e, final double costUsd) {
        ModelTotals m = models.get(e.model());
        if (m == null) {
            m = models.computeIfAbsent(e.model(), k -> new ModelTotals());
        }
        m.add(e, costUsd);
    }

    /** @return a copy of every model's totals, by model name in order. */
    Map<String, ModelTotals> snapshot() {
        final Map<String, ModelTotals> copy = new TreeMap<>();
        models.forEach((name, totals) -> copy.put(name, totals.copy()));
        return copy;
    }

    /** A fixed-bucket histogram: counts per upper bound (not cumulative), the sum and the count. */
    static final class Histogram {
        final double[] bounds;
        final long[] counts;
        double sum;
        long count;

        Histogram(final double[] bounds) {
            this.bounds = bounds;
            this.counts = new long[bounds.length + 1];
        }

        public void add(final double value) {
            int i = Arrays.binarySearch(bounds, value);
            if (i < 0) {
                i = -i - 1;
            }
            counts[i]++;
            sum += value;
            count++;
        }

        Histogram copy() {
            final Histogram h = new Histogram(bounds);
            System.arraycopy(counts, 0, h.counts, 0, counts.length);
            h.sum = sum;
            h.count = count;
            return h;
        }

        /** @return the cumulative count of values less than or equal to bound i. */
        long cumulative(final int i) {
            long n = 0;
            for (int k = 0; k <= i; k++) {
                n += counts[k];
            }
            return n;
        }
    }

    /** The totals of one model. Guarded by its own monitor. */
    static final class ModelTotals {
        final long[] byStatus = new long[Status.values().length];
        final Histogram durationS = new Histogram(DURATION_BUCKETS_S);
        final Histogram ttftS = new Histogram(TTFT_BUCKETS_S);
        final Histogram inputTokens = new Histogram(TOKEN_BUCKETS);
        final Histogram outputTokens = new Histogram(TOKEN_BUCKETS);
        final Map<String, long[]> errorsByType;
        double costUsd;
        long retries;
        long cacheHits;
        long cacheMisses;

        ModelTotals() {
            this.errorsByType = new HashMap<>();
        }

        private ModelTotals(final ModelTotals o) {
            System.arraycopy(o.byStatus, 0, byStatus, 0, byStatus.length);
            copyInto(o.durationS, durationS);
            copyInto(o.ttftS, ttftS);
            copyInto(o.inputTokens, inputTokens);
            copyInto(o.outputTokens, outputTokens);
            this.errorsByType = new TreeMap<>();
            o.errorsByType.forEach((k, v) -> errorsByType.put(k, new long[] {v[0]}));
            this.costUsd = o.costUsd;
            this.retries = o.retries;
            this.cacheHits = o.cacheHits;
            this.cacheMisses = o.cacheMisses;
        }

        private static void copyInto(final Histogram from, final Histogram to) {
            System.arraycopy(from.counts, 0, to.counts, 0, from.counts.length);
            to.sum = from.sum;
            to.count = from.count;
        }

        public synchronized void add(final Event e, final double cost) {
            byStatus[e.status().ordinal()]++;
            durationS.add(e.latencyNs() / 1e9);
            if (e.ttftNs() != Event.NONE) {
                ttftS.add(e.ttftNs() / 1e9);
            }
            if (e.promptTokens() != Event.NONE) {
                inputTokens.add(e.promptTokens());
            }
            if (e.completionTokens() != Event.NONE) {
                outputTokens.add(e.completionTokens());
            }
            if (e.errorType() != null && !e.errorType().isEmpty()) {
                long[] n = errorsByType.get(e.errorType());
                if (n == null) {
                    n = new long[1];
                    errorsByType.put(e.errorType(), n);
                }
                n[0]++;
            }
            if (cost == cost) {
                costUsd += cost;
            }
            retries += e.retries();
            if (e.cache() == CacheResult.HIT) {
                cacheHits++;
            } else if (e.cache() == CacheResult.MISS) {
                cacheMisses++;
            }
        }

        synchronized ModelTotals copy() {
            return new ModelTotals(this);
        }

        /** @return the count of all events. */
        long count() {
            long n = 0;
            for (final long s : byStatus) {
                n += s;
            }
            return n;
        }

        /** @return the error types seen, in name order (snapshots only). */
        List<String> errorTypes() {
            return new ArrayList<>(errorsByType.keySet());
        }
    }
}
