package dev.ringmeter;

import dev.ringmeter.wire.FieldNames;

/**
 * A custom named metric (name, value, tags): the second kind of event, for anything the {@link Event} fields do not
 * cover (GPU memory, batch size, judge score, ...). Mutable and reusable like {@link Event}.
 * <p>
 * Threading: not thread-safe; one instance belongs to one thread at a time.
 */
public final class MetricSample implements Tagged {
    private long timestampMs;
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
