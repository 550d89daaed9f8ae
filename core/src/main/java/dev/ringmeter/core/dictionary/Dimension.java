package dev.ringmeter.core.dictionary;

import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.wire.FieldNames;

/**
 * A string-valued attribute of events that the store keeps as a dense int id through its {@link Dictionary}.
 * Each dimension has its own cardinality limit (see {@link StoreConfig#cardinalityLimit(Dimension, int)}).
 */
public enum Dimension {
    MODEL(FieldNames.MODEL, 1_000),
    OPERATION(FieldNames.OPERATION, 256),
    PIPELINE(FieldNames.PIPELINE, 1_000),
    STEP(FieldNames.STEP, 1_000),
    RUN(FieldNames.RUN, 100_000),
    TASK(FieldNames.TASK, 100_000),
    CONFIG(FieldNames.CONFIG, 10_000),
    ERROR_TYPE(FieldNames.ERROR_TYPE, 1_000),
    TAG_KEY(FieldNames.TAGS, 256),
    TAG_VALUE(FieldNames.TAGS, 10_000),
    QUALITY_NAME(FieldNames.QUALITY, 32),
    METRIC_NAME(FieldNames.NAME, 1_000);

    public static final Dimension[] VALUES = values();

    private final String field;
    private final int defaultLimit;

    Dimension(final String field, final int defaultLimit) {
        this.field = field;
        this.defaultLimit = defaultLimit;
    }

    /**
     * @return the event field the dimension's values come from, as named in the HTTP API.
     */
    public String field() {
        return field;
    }

    /**
     * @return the number of distinct values allowed unless configured otherwise.
     */
    public int defaultLimit() {
        return defaultLimit;
    }
}
