package dev.ringmeter.server.otlp;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last point of each OTLP metric series sent with cumulative temporality, so that the next point of the series
 * enters the store as what changed since it (a delta) rather than as its running total again.
 * <p>
 * A series is one metric of one resource and scope with one set of point attributes ({@link Key}, a 128-bit hash of
 * them). Its state is the point's start time, count and sum, and its bucket counts. A point whose start time differs
 * from the last one's, or any of whose counts went down, is a reset: it counts from zero again, whole. The first
 * point of a series the server has not seen (or has forgotten) is stored whole only if its series started after the
 * server did (its start time says so); otherwise what it counts may have been stored before a restart, so it only
 * sets the baseline. At most {@code maxSeries} series are kept; past that the least recently updated is forgotten.
 * <p>
 * Memory: at most {@code maxSeries} entries of about 200 bytes plus 8 bytes a bucket, a point having at most
 * {@link GenAiMetrics#MAX_BUCKETS} buckets: about 3 MB for 10,000 series of 15 buckets, 28 MB at the widest.
 * <p>
 * Threading: one {@link Changes} at a time, from its {@link #begin()} to its {@link Changes#commit()} or its
 * abandon, which the caller ensures by holding this object's monitor over both ({@link OtlpReceiver}); a point's
 * delta is computed against the committed state, and the state changes only once the store has journaled the
 * samples of the request.
 */
final class CumulativeSeries {
    /** A series' identity: a 128-bit hash of its resource, scope, metric name and point attributes. */
    record Key(long high, long low) {
    }

    /** The last point of a series. Immutable once committed. */
    static final class Last {
        final long startUnixNano;
        /** A sum's value, or a histogram's or summary's sum. */
        final double sum;
        final long count;
        /** Explicit histograms: the counts of each bucket; exponential: the positive buckets'. */
        final long[] counts;
        /** Exponential histograms: scale, zero count, offsets and the negative buckets' counts. */
        final int scale;
        final long zeroCount;
        final int offset;
        final int negativeOffset;
        final long[] negative;

        Last(final long startUnixNano, final double sum, final long count, final long[] counts, final int scale,
             final long zeroCount, final int offset, final int negativeOffset, final long[] negative) {
            this.startUnixNano = startUnixNano;
            this.sum = sum;
            this.count = count;
            this.counts = counts;
            this.scale = scale;
            this.zeroCount = zeroCount;
            this.offset = offset;
            this.negativeOffset = negativeOffset;
            this.negative = negative;
        }
    }

    private final Map<Key, Last> last;
    private final long startedUnixNano;

    /**
     * @param maxSeries       the most series kept, &gt;= 1.
     * @param startedUnixNano when the server started: a first point of a series started after it is stored whole.
     */
    CumulativeSeries(final int maxSeries, final long startedUnixNano) {
        this.startedUnixNano = startedUnixNano;
        this.last = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(final Map.Entry<Key, Last> eldest) {
                return size() > maxSeries;
            }
        };
    }

    /** @return the changes of one export, against the state as committed. */
    Changes begin() {
        return new Changes();
    }

    /** The points of one export: what each was against its series' last point, and the state to commit. */
    final class Changes {
        private final Map<Key, Last> next = new HashMap<>();

        /**
         * @param key   the point's series.
         * @param point the point as sent.
         * @return the series' last point to subtract ({@code point} itself if the point only sets a baseline, so
         *     that nothing is left), or null if the point counts whole (a new series started after the server, or
         *     a reset).
         */
        Last baseline(final Key key, final Last point) {
            Last previous = next.get(key);
            if (previous == null) {
                previous = last.get(key);
            }
            next.put(key, point);
            if (previous == null) {
                return point.startUnixNano > startedUnixNano ? null : point;
            }
            return previous.startUnixNano != point.startUnixNano || point.count < previous.count ? null : previous;
        }

        /** Makes the points of this export the series' last ones: call once the store has journaled them. */
        void commit() {
            last.putAll(next);
        }
    }
}
