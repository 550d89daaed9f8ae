package dev.ringmeter.core.watch;

import dev.ringmeter.core.decide.Direction;

import java.util.Objects;

/**
 * Online anomaly detection for one metric of one subject (a model's P95, its error rate...), fed one value per
 * closed minute bucket.
 * <p>
 * The baseline is robust: the median and the MAD (median absolute deviation) of the last
 * {@link AnomalyParameters#window()} non-empty minutes. A minute's score is (value − median) / scale, where scale is
 * 1.4826 · MAD (the standard deviation of a normal series), floored at {@link AnomalyParameters#madFloorFraction()}
 * · |median| and at {@link AnomalyParameters#minScale()}: a series that barely moves (MAD near 0) would otherwise
 * make every wiggle an anomaly. A series constantly 0 without {@code minScale} has a scale of 0: a minute at 0
 * scores 0, any other scores infinite. Only the bad direction counts ({@link Direction}): a latency falling or a
 * tokens/s rising is never an anomaly. An anomaly starts on
 * <ul>
 *   <li>a <b>spike</b>: one minute whose score reaches {@link AnomalyParameters#spikeThreshold()};</li>
 *   <li>a <b>shift</b>: {@link AnomalyParameters#shiftMinutes()} non-empty minutes in a row whose score reaches the
 *   lower {@link AnomalyParameters#shiftThreshold()}; the anomaly starts at the first minute of the run. A spike
 *   that lasts that long becomes a shift.</li>
 * </ul>
 * It ends at the first minute whose score falls back under the shift threshold. Every minute, anomalous or not,
 * joins the baseline after it is scored: a shift that lasts becomes the new normal once it fills half the window,
 * and its anomaly then ends. No verdict is given (status {@link Status#INSUFFICIENT_DATA}) until the baseline
 * holds {@link AnomalyParameters#minPoints()} minutes. An empty minute (NaN) is skipped: it neither scores nor
 * breaks a run.
 * <p>
 * The anomaly under way, or the last one ended, is read from this object's accessors ({@link #kind()},
 * {@link #startMs()}, {@link #endMs()}, {@link #expected()}, {@link #observed()}, {@link #score()}), a flyweight
 * overwritten when the next anomaly starts.
 * <p>
 * Memory: fixed at construction, two arrays of {@code window} doubles (about 16 · window + 100 bytes; 2.0 KB for
 * the default 120). {@link #update} allocates nothing: the baseline is kept sorted by insertion, and the MAD is
 * the k-th of two sorted runs of deviations merged in place.
 * <p>
 * Threading: not thread-safe. One thread (the one closing the minute buckets) calls {@link #update} and reads the
 * accessors; share it only with external synchronisation.
 */
public final class AnomalyDetector {
    /** The factor that makes the MAD of a normal series its standard deviation: 1 / Φ⁻¹(3/4). */
    public static final double MAD_TO_SIGMA = 1.4826;

    /** What one {@link #update} concludes. */
    public enum Status {
        /** The value was NaN (an empty minute): skipped. */
        SKIPPED,
        /** The baseline holds fewer than {@link AnomalyParameters#minPoints()} minutes: no verdict. */
        INSUFFICIENT_DATA,
        /** Within bounds, no anomaly under way. */
        NORMAL,
        /** An anomaly started with this minute (for a shift, at the first minute of its run). */
        STARTED,
        /** The anomaly under way goes on. */
        ONGOING,
        /** The anomaly under way ended: this minute is back within bounds. */
        ENDED
    }

    /** The kind of an anomaly. */
    public enum Kind {
        /** One minute far out of bounds. */
        SPIKE,
        /** A run of minutes out of bounds. */
        SHIFT
    }

    private final AnomalyParameters parameters;
    private final Direction direction;
    /** The baseline's values in arrival order, a ring. */
    private final double[] ring;
    /** The same values, sorted. */
    private final double[] sorted;
    private int size;
    private int head;

    private int runLength;
    private long runStartMs;
    private double runExpected;
    private double runObserved;
    private double runScore;

    private boolean active;
    private Kind kind;
    private long startMs;
    private long endMs;
    private double expected;
    private double observed;
    private double score;

    private double lastMedian = Double.NaN;
    private double lastScale = Double.NaN;
    private double lastScore = Double.NaN;

    /**
     * @param parameters the window, thresholds and floors.
     * @param direction  which way the metric improves: only the other way is an anomaly.
     */
    public AnomalyDetector(final AnomalyParameters parameters, final Direction direction) {
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        this.direction = Objects.requireNonNull(direction, "direction");
        this.ring = new double[parameters.window()];
        this.sorted = new double[parameters.window()];
    }

    /**
     * Scores a closed minute against the baseline of the minutes before it, then adds it to the baseline.
     *
     * @param minuteStartMs when the minute started; minutes come in time order.
     * @param value         the metric over that minute, or NaN for a minute without data.
     * @return what the minute concludes; the anomaly's fields are read from the accessors.
     * @throws IllegalArgumentException for an infinite value.
     */
    public Status update(final long minuteStartMs, final double value) {
        if (Double.isNaN(value)) {
            return Status.SKIPPED;
        }
        if (Double.isInfinite(value)) {
            throw new IllegalArgumentException("value must be finite or NaN: " + value);
        }
        if (size < parameters.minPoints()) {
            add(value);
            return Status.INSUFFICIENT_DATA;
        }
        final double median = median();
        final double scale = Math.max(MAD_TO_SIGMA * mad(median),
            Math.max(parameters.madFloorFraction() * Math.abs(median), parameters.minScale()));
        // a scale of 0 (median and MAD 0, no minScale): the median scores 0, not 0 / 0, and any other value is out
        final double signed = value == median ? 0 : (value - median) / scale;
        final double bad = direction == Direction.LOWER_IS_BETTER ? signed : -signed;
        lastMedian = median;
        lastScale = scale;
        lastScore = signed;
        add(value);
        return judge(minuteStartMs, value, median, signed, bad);
    }

    private Status judge(final long minuteStartMs, final double value, final double median, final double signed,
                         final double bad) {
        if (bad < parameters.shiftThreshold()) {
            runLength = 0;
            if (active) {
                active = false;
                endMs = minuteStartMs;
                return Status.ENDED;
            }
            return Status.NORMAL;
        }
        if (runLength++ == 0) {
            runStartMs = minuteStartMs;
            runExpected = median;
            runObserved = value;
            runScore = signed;
        }
        if (active) {
            if (Math.abs(signed) > Math.abs(score)) {
                observed = value;
                score = signed;
            }
            if (kind == Kind.SPIKE && runLength >= parameters.shiftMinutes()) {
                kind = Kind.SHIFT;
            }
            return Status.ONGOING;
        }
        if (bad >= parameters.spikeThreshold()) {
            if (runLength >= parameters.shiftMinutes()) {
                start(Kind.SHIFT, runStartMs, runExpected, value, signed);
            } else {
                start(Kind.SPIKE, minuteStartMs, median, value, signed);
            }
            return Status.STARTED;
        }
        if (runLength >= parameters.shiftMinutes()) {
            start(Kind.SHIFT, runStartMs, runExpected, Math.abs(signed) > Math.abs(runScore) ? value : runObserved,
                Math.abs(signed) > Math.abs(runScore) ? signed : runScore);
            return Status.STARTED;
        }
        if (Math.abs(signed) > Math.abs(runScore)) {
            runObserved = value;
            runScore = signed;
        }
        return Status.NORMAL;
    }

    private void start(final Kind newKind, final long newStartMs, final double newExpected, final double newObserved,
                       final double newScore) {
        active = true;
        kind = newKind;
        startMs = newStartMs;
        endMs = Long.MIN_VALUE;
        expected = newExpected;
        observed = newObserved;
        score = newScore;
    }

    /** Adds a value to the baseline, evicting the oldest when full; keeps {@link #sorted} sorted. */
    private void add(final double value) {
        final int window = ring.length;
        if (size == window) {
            final double evicted = ring[head];
            final int at = indexOf(evicted);
            System.arraycopy(sorted, at + 1, sorted, at, size - 1 - at);
            size--;
        }
        int i = size;
        while (i > 0 && sorted[i - 1] > value) {
            sorted[i] = sorted[i - 1];
            i--;
        }
        sorted[i] = value;
        size++;
        ring[head] = value;
        head = head + 1 == window ? 0 : head + 1;
    }

    private int indexOf(final double value) {
        int lo = 0;
        int hi = size - 1;
        while (lo < hi) {
            final int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private double median() {
        return size % 2 == 1 ? sorted[size / 2] : (sorted[size / 2 - 1] + sorted[size / 2]) / 2;
    }

    /**
     * The median of |x − median|: the deviations below the median, read downwards, and above it, read upwards,
     * are two sorted runs; merging them up to the middle gives the median deviation without sorting.
     */
    private double mad(final double median) {
        int below = lowerBound(median) - 1;
        int above = below + 1;
        final int target = (size - 1) / 2;
        double previous = 0;
        double current = 0;
        for (int k = 0; k <= size / 2; k++) {
            final double down = below >= 0 ? median - sorted[below] : Double.POSITIVE_INFINITY;
            final double up = above < size ? sorted[above] - median : Double.POSITIVE_INFINITY;
            previous = current;
            if (down <= up) {
                current = down;
                below--;
            } else {
                current = up;
                above++;
            }
            if (k == target && size % 2 == 1) {
                return current;
            }
        }
        return (previous + current) / 2;
    }

    /** The first index whose value is not below {@code value}. */
    private int lowerBound(final double value) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            final int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** @return the settings. */
    public AnomalyParameters parameters() {
        return parameters;
    }

    /** @return whether an anomaly is under way. */
    public boolean active() {
        return active;
    }

    /** @return the kind of the anomaly under way or last ended; null before the first. */
    public Kind kind() {
        return kind;
    }

    /** @return when the anomaly under way or last ended started (for a shift, its run's first minute). */
    public long startMs() {
        return startMs;
    }

    /**
     * @return the start of the minute at which the last anomaly ended, the first back within bounds (the anomaly
     *     covers [startMs, endMs)); {@link Long#MIN_VALUE} while one is under way.
     */
    public long endMs() {
        return endMs;
    }

    /** @return the baseline's median when the anomaly started. */
    public double expected() {
        return expected;
    }

    /** @return the value of the anomaly's highest-scoring minute so far. */
    public double observed() {
        return observed;
    }

    /** @return the anomaly's highest score so far, signed: (observed − median) / scale. */
    public double score() {
        return score;
    }

    /** @return the baseline's median at the last scored minute; NaN before the first verdict. */
    public double lastMedian() {
        return lastMedian;
    }

    /** @return the floored robust scale at the last scored minute; NaN before the first verdict. */
    public double lastScale() {
        return lastScale;
    }

    /** @return the signed score of the last scored minute; NaN before the first verdict. */
    public double lastScore() {
        return lastScore;
    }

    /** @return how many non-empty minutes the baseline holds. */
    public int baselineSize() {
        return size;
    }
}
