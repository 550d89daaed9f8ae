package dev.ringmeter;

import dev.ringmeter.wire.FieldNames;

/**
 * A custom named metric (name, value, tags): the second kind of event, for anything the {@link Event} fields do not
 * cover (GPU memory, batch size, judge score, ...). Mutable and reusable like {@link Event}.
 * <p>
 * Threading: not thread-safe; one instance belongs to one thread at a time.
 */
public final class MetricSample implements Tagged {
    /**
     * The largest {@link #count(long)}: a billion observations in one sample (an OTLP histogram bucket's count over
     * one export interval stays far below it).
     */
    public static final long MAX_COUNT = 1_000_000_000L;
    private long timestampMs;
    private long count = 1;
    private String name;
    private double value = Double.NaN;
    private final Tags tags = new Tags();

    /**
     * @return this, with every field cleared.
     */
    public MetricSample reset() {
        timestampMs = 0;
        name = null;
        value = Double.NaN;
        count = 1;
        tags.clear();
        return this;
    }

    /**
     * @param timestampMs milliseconds since the epoch; 0 means "when recorded".
     * @return this.
     */
    public MetricSample timestampMs(final long timestampMs) {
        this.timestampMs = Event.checkedTimestampMs(timestampMs);
        return this;
    }

    /**
     * @param name of the metric; required.
     * @return this.
     */
    public MetricSample name(final String name) {
        this.name = name;
        return this;
    }

    /**
     * @param value of the metric, finite.
     * @return this.
     */
    public MetricSample value(final double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new InvalidEventException(FieldNames.VALUE, "must be a finite number but was " + value);
        }
        this.value = value;
        return this;
    }

    /**
     * @param count how many observations of {@link #value} this sample stands for (1 unless set): the metric's
     *              series counts and sums it that many times and its percentiles weigh it so (an OTLP histogram
     *              bucket enters as one sample of its count).
     * @return this.
     * @throws InvalidEventException unless 1 &lt;= count &lt;= {@link #MAX_COUNT}.
     */
    public MetricSample count(final long count) {
        if (count < 1 || count > MAX_COUNT) {
            throw new InvalidEventException(FieldNames.COUNT, "must be between 1 and " + MAX_COUNT + " but was "
                + count);
        }
        this.count = count;
        return this;
    }

    /**
     * @param key   of the tag.
     * @param value of the tag.
     * @return this.
     */
    @Override
    public MetricSample tag(final String key, final String value) {
        tags.add(key, value);
        return this;
    }

    /**
     * @throws InvalidEventException naming the first missing field.
     */
    public void validate() {
        if (name == null || name.isEmpty()) {
            throw new InvalidEventException(FieldNames.NAME, "is required");
        }
        if (Double.isNaN(value)) {
            throw new InvalidEventException(FieldNames.VALUE, "is required");
        }
    }

    public long timestampMs() {
        return timestampMs;
    }

    public String name() {
        return name;
    }

    public double value() {
        return value;
    }

    /** @return how many observations of {@link #value()} this sample stands for, 1 unless set. */
    public long count() {
        return count;
    }

    @Override
    public int tagCount() {
        return tags.count();
    }

    @Override
    public String tagKey(final int index) {
        return tags.key(index);
    }

    @Override
    public String tagValue(final int index) {
        return tags.value(index);
    }
}
