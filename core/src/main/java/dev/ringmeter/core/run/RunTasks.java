package dev.ringmeter.core.run;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The tasks of one run seen so far, each with its outcome: an open-addressing table from a 64-bit hash of the task
 * id to its last task event's status and retries, so that a task recorded again (a task retried as a whole)
 * replaces its earlier outcome instead of counting twice. Two task ids share a hash with a chance of about 2^-64 a
 * pair. The table holds at most {@code limit} tasks and grows by doubling up to a load of 3/4: its most heap is
 * {@link #widestBytes(int)}. Past the limit a new task id is not tracked, and the run counts it as a task on its
 * own ({@link RunState} says how many went untracked).
 * <p>
 * Threading: the aggregate thread's alone (see {@link RunTable}).
 */
final class RunTasks {
    /** The outcome of a put: the task is new. */
    static final int NEW = -1;
    /** The outcome of a put: the table is full and the task is new to it; it was not kept. */
    static final int UNTRACKED = -2;
    private static final int RETRIES_MAX = (1 << 29) - 1;

    private final int limit;
    private long[] keys;
    /** (retries << 2) | status ordinal, per slot. */
    private int[] outcomes;
    private int size;

    RunTasks(final int limit) {
        this.limit = limit;
        this.keys = new long[16];
        this.outcomes = new int[16];
    }

    /** @return the tasks tracked. */
    int size() {
        return size;
    }

    /**
     * @param limit the most tasks tracked.
     * @return the most heap a full table holds: its two arrays at the capacity that keeps the load under 3/4.
     */
    static long widestBytes(final int limit) {
        return 2 * 16 + 12L * capacityFor(limit) + 32;
    }

    private static int capacityFor(final int tasks) {
        int c = 16;
        while (c * 3L / 4 < tasks) {
            c <<= 1;
        }
        return c;
    }

    /**
     * @param taskName a task id.
     * @return its 64-bit hash, never 0 (0 marks an empty slot).
     */
    static long hash(final String taskName) {
        long h = 0xCBF29CE484222325L;
        for (int i = 0; i < taskName.length(); i++) {
            h = (h ^ taskName.charAt(i)) * 0x100000001B3L;
        }
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }

    /**
     * @param status  a task's status ordinal.
     * @param retries its retries.
     * @return the outcome as the table keeps it.
     */
    static int outcome(final int status, final int retries) {
        return Math.min(Math.max(retries, 0), RETRIES_MAX) << 2 | status & 3;
    }

    static int status(final int outcome) {
        return outcome & 3;
    }

    static int retries(final int outcome) {
        return outcome >>> 2;
    }

    /**
     * Keeps a task's latest outcome.
     *
     * @param key     the task's {@link #hash}.
     * @param outcome from {@link #outcome}.
     * @return the task's earlier outcome, {@link #NEW} or {@link #UNTRACKED}.
     */
    int put(final long key, final int outcome) {
        int mask = keys.length - 1;
        int i = (int)key & mask;
        while (keys[i] != 0) {
            if (keys[i] == key) {
                final int old = outcomes[i];
                outcomes[i] = outcome;
                return old;
            }
            i = i + 1 & mask;
        }
        if (size >= limit) {
            return UNTRACKED;
        }
        if ((size + 1) * 4L > keys.length * 3L) {
            grow();
            mask = keys.length - 1;
            i = (int)key & mask;
            while (keys[i] != 0) {
                i = i + 1 & mask;
            }
        }
        keys[i] = key;
        outcomes[i] = outcome;
        size++;
        return NEW;
    }

    private void grow() {
        final long[] oldKeys = keys;
        final int[] oldOutcomes = outcomes;
        keys = new long[oldKeys.length * 2];
        outcomes = new int[oldKeys.length * 2];
        final int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != 0) {
                int i = (int)oldKeys[j] & mask;
                while (keys[i] != 0) {
                    i = i + 1 & mask;
                }
                keys[i] = oldKeys[j];
                outcomes[i] = oldOutcomes[j];
            }
        }
    }

    /** @return the heap the table holds now, bytes. */
    long bytes() {
        return 2 * 16 + 12L * keys.length + 32;
    }

    void write(final DataOutput out) throws IOException {
        out.writeInt(size);
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                out.writeLong(keys[i]);
                out.writeInt(outcomes[i]);
            }
        }
    }

    void read(final DataInput in) throws IOException {
        final int n = in.readInt();
        if (n < 0) {
            throw new IOException("a run with " + n + " tasks");
        }
        for (int j = 0; j < n; j++) {
            put(in.readLong(), in.readInt());   // past a limit lowered since, a task is not tracked
        }
    }
}
