package dev.ringmeter.core.dictionary;

import dev.ringmeter.core.StoreConfig;

/**
 * A string-valued attribute of events that the store keeps as a dense int id through its {@link Dictionary}.
 * Each dimension has its own cardinality limit (see {@link StoreConfig#cardinalityLimit(Dimension, int)}).
 */
public enum Dimension {
    MODEL("model", 1_000),
    OPERATION("operation", 256),
    PIPELINE("pipeline", 1_000),
    STEP("step", 1_000),
    RUN("run", 100_000),
    TASK("task", 100_000),
    CONFIG("config", 10_000),
    ERROR_TYPE("errorType", 1_000),
    TAG_KEY("tags", 256),
    TAG_VALUE("tags", 10_000),
    QUALITY_NAME("quality", 32),
    METRIC_NAME("name", 1_000);

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
