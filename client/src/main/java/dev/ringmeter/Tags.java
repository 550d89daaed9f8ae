package dev.ringmeter;

import dev.ringmeter.wire.FieldNames;

/**
 * The free tags of an {@link Event} or a {@link MetricSample}: at most {@link Event#MAX_TAGS} key and value pairs,
 * checked as they are added, in the order they were added. Reused with the value that owns it.
 * <p>
 * Threading: not thread-safe; it belongs to the thread that owns its event or sample.
 */
final class Tags {
    private final String[] keys = new String[Event.MAX_TAGS];
    private final String[] values = new String[Event.MAX_TAGS];
    private int count;

    /** Removes every tag. */
    void clear() {
        for (int i = 0; i < Event.MAX_TAGS; i++) {
            keys[i] = null;
            values[i] = null;
        }
        count = 0;
    }

    /**
     * @param key   of the tag.
     * @param value of the tag.
     * @throws InvalidEventException if the key is empty, the value null, or the tags are full.
     */
    void add(final String key, final String value) {
        if (key == null || key.isEmpty() || value == null) {
            throw new InvalidEventException(FieldNames.TAGS, "keys must not be empty and values not null");
        }
        if (count == Event.MAX_TAGS) {
            throw new InvalidEventException(FieldNames.TAGS, "holds at most " + Event.MAX_TAGS + " tags");
        }
        keys[count] = key;
        values[count++] = value;
    }

    int count() {
        return count;
    }

    String key(final int index) {
        return keys[index];
    }

    String value(final int index) {
        return values[index];
    }
}
