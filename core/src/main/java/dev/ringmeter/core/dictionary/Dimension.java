package dev.ringmeter.core.dictionary;

import dev.ringmeter.Event;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.wire.FieldNames;

/**
 * A string-valued attribute of events that the store keeps as a dense int id through its {@link Dictionary}.
 * Each dimension has its own cardinality limit (see {@link StoreConfig#cardinalityLimit(Dimension, int)}), and is
 * either pinned or released ({@link #released()}, see {@link Dictionary}).
 * <p>
 * This is the one place that says which dimension each string field of an {@link Event} belongs to
 * ({@link #of(Event)}): the store's ring slot and the admission of a batch both read an event's strings through it.
 * Called on a constant, as in {@code Dimension.MODEL.of(event)} on the record() path, the JIT binds it to that
 * constant's body and inlines the accessor: no dispatch, no allocation.
 */
public enum Dimension {
    MODEL(FieldNames.MODEL, 1_000, false) {
        @Override
        public String of(final Event event) {
            return event.model();
        }
    },
    OPERATION(FieldNames.OPERATION, 256, true) {
        @Override
        public String of(final Event event) {
            return event.operation();
        }
    },
    PIPELINE(FieldNames.PIPELINE, 1_000, false) {
        @Override
        public String of(final Event event) {
            return event.pipeline();
        }
    },
    STEP(FieldNames.STEP, 1_000, false) {
        @Override
        public String of(final Event event) {
            return event.step();
        }
    },
    RUN(FieldNames.RUN, 100_000, true) {
        @Override
        public String of(final Event event) {
            return event.run();
        }
    },
    TASK(FieldNames.TASK, 100_000, true) {
        @Override
        public String of(final Event event) {
            return event.task();
        }
    },
    CONFIG(FieldNames.CONFIG, 10_000, true) {
        @Override
        public String of(final Event event) {
            return event.config();
        }
    },
    ERROR_TYPE(FieldNames.ERROR_TYPE, 1_000, false) {
        @Override
        public String of(final Event event) {
            return event.errorType();
        }
    },
    TAG_KEY(FieldNames.TAGS, 256, true),
    TAG_VALUE(FieldNames.TAGS, 10_000, true),
    QUALITY_NAME(FieldNames.QUALITY, 32, false),
    METRIC_NAME(FieldNames.NAME, 1_000, false),
    PROVIDER(FieldNames.PROVIDER, 256, false) {
        @Override
        public String of(final Event event) {
            return event.provider();
        }
    },
    TOOL(FieldNames.TOOL, 1_000, false) {
        @Override
        public String of(final Event event) {
            return event.tool();
        }
    },
    AGENT(FieldNames.AGENT, 1_000, false) {
        @Override
        public String of(final Event event) {
            return event.agent();
        }
    };
    // New dimensions go last: the journal's DICT records and the snapshot's dictionary name a dimension by its
    // ordinal, and a snapshot of version 3 or older holds the first SNAPSHOT_3_DIMENSIONS only.

    /** The number of dimensions a dictionary of a snapshot of version 3 or older holds (model to metric name). */
    public static final int SNAPSHOT_3_DIMENSIONS = 12;

    public static final Dimension[] VALUES = values();

    /**
     * The dimensions of an event's own string fields, each field's value read by {@link #of(Event)}: the ones
     * an event carries at most one value of.
     */
    public static final Dimension[] EVENT_FIELDS = {MODEL, OPERATION, PIPELINE, STEP, RUN, TASK, CONFIG, ERROR_TYPE,
        PROVIDER, TOOL, AGENT};

    private final String field;
    private final int defaultLimit;
    private final boolean released;
    private final String optionName;

    Dimension(final String field, final int defaultLimit, final boolean released) {
        this.field = field;
        this.defaultLimit = defaultLimit;
        this.released = released;
        this.optionName = name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * @return true if the dimension's ids are released once their value is idle (operation, run, task, config, tag
     * keys and values: what the in-memory aggregates do not index by), false if they are pinned for the store's life
     * (model, pipeline, step, error type, quality name, metric name, provider, tool, agent: what the aggregates are
     * indexed by, and names that a service's code bounds).
     */
    public boolean released() {
        return released;
    }

    /**
     * @return true for the dimensions that are pinned now but were released in the journals and snapshots written
     * before snapshot version 5 (pipeline and step, which the aggregates index since): their ids still run to twice
     * the limit, as a released dimension's do, so that such data reads, though they are never released now.
     */
    public boolean formerlyReleased() {
        return this == PIPELINE || this == STEP;
    }

    /**
     * @return the dimension's name in options such as the server's {@code --limit run=200000}: lower case, words
     * joined by '-'.
     */
    public String optionName() {
        return optionName;
    }

    /**
     * @param optionName as {@link #optionName()} gives it.
     * @return the dimension.
     * @throws IllegalArgumentException naming the valid names if there is none of that name.
     */
    public static Dimension ofOptionName(final String optionName) {
        for (final Dimension d : VALUES) {
            if (d.optionName.equals(optionName)) {
                return d;
            }
        }
        final StringBuilder valid = new StringBuilder();
        for (final Dimension d : VALUES) {
            valid.append(valid.length() == 0 ? "" : ", ").append(d.optionName);
        }
        throw new IllegalArgumentException("no dimension '" + optionName + "'; one of " + valid);
    }

    /**
     * @return the event field the dimension's values come from, as named in the HTTP API.
     */
    public String field() {
        return field;
    }

    /**
     * @return the number of distinct values allowed unless configured otherwise; the store derives fewer when its
     * heap cannot hold this many ({@link dev.ringmeter.core.HeapBudget}).
     */
    public int defaultLimit() {
        return defaultLimit;
    }

    /**
     * @param event an event.
     * @return the value of the event's field this dimension belongs to, or null if it has none; always null for a
     * dimension that is not one of {@link #EVENT_FIELDS} (tags, quality names and metric names come many or none).
     */
    public String of(final Event event) {
        return null;
    }
}
