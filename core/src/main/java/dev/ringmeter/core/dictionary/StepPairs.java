package dev.ringmeter.core.dictionary;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The pipeline steps the store keeps aggregates of: each pair of a pipeline id (0 for a step of no pipeline) and a
 * step id, as a dense id from 1, so that step "retrieve" of pipeline "rag" and step "retrieve" of pipeline "qa" are
 * two subjects. Both dimensions are pinned, so a pair's ids never mean another value, and neither does the pair.
 * The {@link Dictionary} owns it and applies its limit (the step dimension's: a step counts once per pipeline it
 * runs in), so a new pair is refused where a new string is, with the same exception.
 * <p>
 * An open-addressing table of the pairs' 64-bit keys (pipeline &lt;&lt; 32 | step, never 0 since a step id is not),
 * at most half full, and the key of each pair id.
 * <p>
 * Threading: {@link #find} and {@link #key} from any thread, lock-free and allocation-free; {@link #add} under the
 * dictionary's monitor. A reader sees a pair once its key is stored (a volatile write after its id's), and a table
 * that grows is published whole through a volatile field.
 */
final class StepPairs {
    private static final class Table {
        final AtomicLongArray keys;
        final int[] ids;
        final int mask;

        Table(final int capacity) {
            keys = new AtomicLongArray(capacity);
            ids = new int[capacity];
            mask = capacity - 1;
        }
    }

    private volatile Table table = new Table(64);
    /** By pair id: its key; replaced whole when it grows. */
    private volatile long[] keysById = new long[16];
    /** Under the monitor: pairs given, 1..count. */
    private volatile int count;

    static long key(final int pipeline, final int step) {
        return (long)pipeline << 32 | (step & 0xFFFF_FFFFL);
    }

    private static int slot(final long key, final int mask) {
        final long h = key * 0x9E37_79B9_7F4A_7C15L;
        return (int)(h ^ h >>> 32) & mask;
    }

    /**
     * @return the pair's id, or 0 if it has none.
     */
    int find(final int pipeline, final int step) {
        if (step == 0) {
            return 0;
        }
        final long key = key(pipeline, step);
        final Table t = table;
        for (int i = slot(key, t.mask); ; i = i + 1 & t.mask) {
            final long k = t.keys.get(i);
            if (k == key) {
                return t.ids[i];
            }
            if (k == 0) {
                return 0;
            }
        }
    }

    /** @return the pairs given. */
    int count() {
        return count;
    }

    /**
     * @param id of a pair, 1 to {@link #count()}.
     * @return its key: the pipeline id in the high 32 bits, the step id in the low.
     */
    long key(final int id) {
        final long[] byId = keysById;
        return id > 0 && id < byId.length ? byId[id] : 0;
    }

    /**
     * Gives a new pair the next id. Under the dictionary's monitor, its room checked.
     *
     * @return the new id.
     */
    int add(final int pipeline, final int step) {
        final long key = key(pipeline, step);
        final int id = count + 1;
        long[] byId = keysById;
        if (id >= byId.length) {
            byId = Arrays.copyOf(byId, byId.length * 2);
            byId[id] = key;
            keysById = byId;
        } else {
            byId[id] = key;
        }
        Table t = table;
        if (2 * id > t.ids.length) {
            final Table bigger = new Table(t.ids.length * 2);
            for (int i = 0; i < t.ids.length; i++) {
                final long k = t.keys.get(i);
                if (k != 0) {
                    put(bigger, k, t.ids[i]);
                }
            }
            put(bigger, key, id);
            table = bigger;
        } else {
            put(t, key, id);
        }
        count = id;
        return id;
    }

    private static void put(final Table t, final long key, final int id) {
        int i = slot(key, t.mask);
        while (t.keys.get(i) != 0) {
            i = i + 1 & t.mask;
        }
        t.ids[i] = id;
        t.keys.set(i, key);   // volatile: the id is seen with the key
    }

    /** @return an estimate of the heap held, bytes. */
    long footprintBytes() {
        final Table t = table;
        return 64 + 2 * 16 + t.ids.length * 12L + keysById.length * 8L;
    }
}
