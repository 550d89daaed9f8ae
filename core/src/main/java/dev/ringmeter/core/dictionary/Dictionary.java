package dev.ringmeter.core.dictionary;

import dev.ringmeter.CardinalityLimitException;
import dev.ringmeter.InvalidEventException;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps the string values of each {@link Dimension} to dense ids starting at 1 (0 means absent), with a cardinality
 * limit per dimension and a limit on string length. Those two rules are written here only ({@link #checkLength},
 * {@link #checkRoom}); {@link DictionaryAdmission} applies them to a whole batch before any of it is recorded.
 * <p>
 * Threading: {@link #id(Dimension, String)} and {@link #name(Dimension, int)} may be called from any thread. A known
 * value costs one lock-free hash lookup and allocates nothing; a new value takes a lock once. Ids are never reused
 * or removed, so a reader that has an id can always resolve it.
 */
public final class Dictionary {
    private final ConcurrentHashMap<String, Integer>[] ids;
    private final String[][] names;
    private final int[] sizes;
    private final int[] limits;
    private final String[] howToRaise;
    private final int maxStringLength;

    /**
     * @param limits          cardinality limit of each dimension, indexed by ordinal.
     * @param maxStringLength longest value accepted, in chars.
     */
    public Dictionary(final int[] limits, final int maxStringLength) {
        this(limits, maxStringLength, new String[Dimension.VALUES.length]);
    }

    /**
     * @param limits          cardinality limit of each dimension, indexed by ordinal.
     * @param maxStringLength longest value accepted, in chars.
     * @param howToRaise      what a refusal at each dimension's limit says about raising it, indexed by ordinal
     *                        (null elements for none): {@code HeapBudget.howToRaise()}.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Dictionary(final int[] limits, final int maxStringLength, final String[] howToRaise) {
        final int n = Dimension.VALUES.length;
        this.howToRaise = howToRaise.clone();
        this.ids = new ConcurrentHashMap[n];
        this.names = new String[n][];
        this.sizes = new int[n];
        this.limits = limits.clone();
        this.maxStringLength = maxStringLength;
        for (int i = 0; i < n; i++) {
            ids[i] = new ConcurrentHashMap<>();
            names[i] = new String[16];
        }
    }

    /**
     * @param dimension of the value.
     * @param name      the value; null or empty means absent.
     * @return the value's id, 0 for absent.
     * @throws InvalidEventException     if the value is longer than the limit.
     * @throws CardinalityLimitException if the value is new and the dimension is full.
     */
    public int id(final Dimension dimension, final String name) {
        if (name == null || name.isEmpty()) {
            return 0;
        }
        final Integer id = ids[dimension.ordinal()].get(name);
        return id != null ? id : add(dimension, name);
    }

    /**
     * @param dimension of the value.
     * @param name      the value.
     * @return its id, or 0 if the value is unknown (never adds).
     */
    public int find(final Dimension dimension, final String name) {
        if (name == null) {
            return 0;
        }
        final Integer id = ids[dimension.ordinal()].get(name);
        return id != null ? id : 0;
    }

    /**
     * @param dimension of the value.
     * @param id        of the value.
     * @return the value, or null for id 0 or an unknown id.
     */
    public String name(final Dimension dimension, final int id) {
        final String[] table = names[dimension.ordinal()];
        return id > 0 && id < table.length ? table[id] : null;
    }

    /**
     * @param dimension to count.
     * @return the number of distinct values known.
     */
    public synchronized int size(final Dimension dimension) {
        return sizes[dimension.ordinal()];
    }

    /**
     * @param dimension of the value.
     * @return a copy of the values, indexed by id - 1.
     */
    public synchronized String[] names(final Dimension dimension) {
        final int d = dimension.ordinal();
        return Arrays.copyOfRange(names[d], 1, sizes[d] + 1);
    }

    /**
     * Restores an entry with a known id, as read back from a journal or snapshot.
     *
     * @param dimension of the value.
     * @param id        it had.
     * @param name      the value.
     * @throws IllegalStateException if the id is not the next one of its dimension.
     */
    public synchronized void restore(final Dimension dimension, final int id, final String name) {
        final int d = dimension.ordinal();
        if (id != sizes[d] + 1) {
            throw new IllegalStateException(dimension + " entry " + id + " restored out of order after " + sizes[d]);
        }
        put(d, id, name);
    }

    private synchronized int add(final Dimension dimension, final String name) {
        final int d = dimension.ordinal();
        final Integer existing = ids[d].get(name);
        if (existing != null) {
            return existing;
        }
        checkLength(dimension, name);
        checkRoom(dimension, 1);
        final int id = sizes[d] + 1;
        put(d, id, name);
        return id;
    }

    /**
     * The length rule: a new value may be at most the configured number of characters. Known values are never
     * checked again.
     *
     * @param dimension of the value.
     * @param name      a value the dictionary does not know.
     * @throws InvalidEventException naming the dimension's field if the value is too long.
     */
    void checkLength(final Dimension dimension, final String name) {
        if (name.length() > maxStringLength) {
            throw new InvalidEventException(dimension.field(),
                "must be at most " + maxStringLength + " characters but was " + name.length());
        }
    }

    /**
     * The cardinality rule: a dimension holds at most its limit of distinct values. Called holding this
     * dictionary's lock, so that the room seen is the room there is.
     *
     * @param dimension  to grow.
     * @param newValues  distinct values to add to it.
     * @throws CardinalityLimitException if they would pass the dimension's limit.
     */
    void checkRoom(final Dimension dimension, final int newValues) {
        final int d = dimension.ordinal();
        if (sizes[d] + newValues > limits[d]) {
            throw new CardinalityLimitException(dimension.field(), limits[d], howToRaise[d]);
        }
    }

    private void put(final int d, final int id, final String name) {
        String[] table = names[d];
        if (id >= table.length) {
            table = Arrays.copyOf(table, Math.max(id + 1, table.length * 2));
        }
        table[id] = name;
        names[d] = table;
        sizes[d] = id;
        ids[d].put(name, id);
    }

    /**
     * Writes every entry to a snapshot, each name as its UTF-8 length and bytes (not {@code writeUTF}, whose 65,535
     * bytes a name of 21,846 three-byte characters already passes).
     *
     * @param out to write to.
     * @throws IOException if the write fails.
     */
    public synchronized void write(final DataOutput out) throws IOException {
        for (int d = 0; d < sizes.length; d++) {
            out.writeInt(sizes[d]);
            for (int id = 1; id <= sizes[d]; id++) {
                final byte[] utf8 = names[d][id].getBytes(StandardCharsets.UTF_8);
                out.writeInt(utf8.length);
                out.write(utf8);
            }
        }
    }

    /**
     * Reads entries written by {@link #write(DataOutput)} into this (empty) dictionary.
     *
     * @param in to read from.
     * @throws IOException if the read fails or the data is bad.
     */
    public synchronized void read(final DataInput in) throws IOException {
        for (int d = 0; d < sizes.length; d++) {
            final int n = in.readInt();
            if (n < 0 || n > limits[d]) {
                throw new IOException(Dimension.VALUES[d] + " holds " + n + " values, over its limit " + limits[d]);
            }
            for (int id = 1; id <= n; id++) {
                final int length = in.readInt();
                if (length < 0 || length > 3L * maxStringLength) {   // a UTF-16 char is at most 3 bytes of UTF-8
                    throw new IOException(Dimension.VALUES[d] + " name " + id + " of " + length + " bytes");
                }
                final byte[] utf8 = new byte[length];
                in.readFully(utf8);
                put(d, id, new String(utf8, StandardCharsets.UTF_8));
            }
        }
    }
}
