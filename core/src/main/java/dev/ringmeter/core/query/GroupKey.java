package dev.ringmeter.core.query;

import dev.ringmeter.Status;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.wire.FieldNames;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What events are grouped by in a comparison or a journal scan: one of an event's own string fields (a dimension of
 * {@link Dimension#EVENT_FIELDS}), its {@code status}, or the value of one of its tags ({@code tag:KEY}). The one
 * place that spells these keys and parses them, for the embedded API and the HTTP parameters alike; an event without
 * a value for the key is in the group "" (as a journal scan has always grouped it).
 * <p>
 * Threading: immutable; any thread.
 */
public final class GroupKey {
    /** The prefix of a tag key, as in {@code tag:temperature}. */
    public static final String TAG_PREFIX = "tag:";
    private static final GroupKey STATUS = new GroupKey(null, null);

    private final Dimension dimension;
    private final String tagKey;

    private GroupKey(final Dimension dimension, final String tagKey) {
        this.dimension = dimension;
        this.tagKey = tagKey;
    }

    /**
     * @param dimension one of {@link Dimension#EVENT_FIELDS}.
     * @return the key of that field.
     * @throws IllegalArgumentException if the dimension is not an event's own field.
     */
    public static GroupKey of(final Dimension dimension) {
        for (final Dimension d : Dimension.EVENT_FIELDS) {
            if (d == dimension) {
                return new GroupKey(dimension, null);
            }
        }
        throw new IllegalArgumentException("cannot group by " + dimension + ": not a field of an event");
    }

    /** @return the key of the event's status (ok, error, timeout, cancelled). */
    public static GroupKey status() {
        return STATUS;
    }

    /**
     * @param key a tag's key, not empty.
     * @return the key of that tag's value.
     */
    public static GroupKey tag(final String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a tag key must not be empty; write tag:KEY, e.g. tag:temperature");
        }
        return new GroupKey(null, key);
    }

    /**
     * @param text a field name ({@code model}, {@code config}, {@code errorType} ...), {@code status} or
     *             {@code tag:KEY}.
     * @return its key.
     * @throws IllegalArgumentException naming the valid keys if the text is none of them.
     */
    public static GroupKey parse(final String text) {
        if (text.startsWith(TAG_PREFIX)) {
            return tag(text.substring(TAG_PREFIX.length()));
        }
        if (text.equals(FieldNames.STATUS)) {
            return STATUS;
        }
        for (final Dimension d : Dimension.EVENT_FIELDS) {
            if (d.field().equals(text)) {
                return new GroupKey(d, null);
            }
        }
        throw new IllegalArgumentException("cannot group by '" + text + "'; one of " + String.join(", ", valid()));
    }

    /** @return the texts {@link #parse} takes, the tag as {@code tag:KEY}. */
    public static List<String> valid() {
        final List<String> valid = new ArrayList<>();
        for (final Dimension d : Dimension.EVENT_FIELDS) {
            valid.add(d.field());
        }
        valid.add(FieldNames.STATUS);
        valid.add(TAG_PREFIX + "KEY");
        return valid;
    }

    /** @return the dimension of an event field's key, else null (status or a tag). */
    public Dimension dimension() {
        return dimension;
    }

    /** @return the tag key of a tag's key, else null. */
    public String tagKey() {
        return tagKey;
    }

    /** @return whether this is the status key. */
    public boolean isStatus() {
        return dimension == null && tagKey == null;
    }

    /**
     * @param status an event's status ordinal.
     * @return the group name of that status: its wire name.
     */
    public static String statusName(final int status) {
        return Status.of(status).wireName();
    }

    /** @return the key as {@link #parse} reads it. */
    @Override
    public String toString() {
        return dimension != null ? dimension.field() : tagKey != null ? TAG_PREFIX + tagKey : FieldNames.STATUS;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof GroupKey && ((GroupKey)o).dimension == dimension
            && Objects.equals(((GroupKey)o).tagKey, tagKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dimension, tagKey);
    }
}
