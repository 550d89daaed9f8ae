package dev.ringmeter.core.privacy;

import dev.ringmeter.Status;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Decides, for each event the journal handler is about to write, whether the journal keeps it and with what weight
 * (the N of its {@link Sampling} rule: a kept event stands for N events of its rule, an error or a slow event for
 * itself). Events of one rule are kept in turn, the first of every N (by model, or by operation for events without
 * a model), so a scan's weighted count over a rule's events is off by less than N from the true count.
 * <p>
 * Memory: an int N, a counter and a name reference per model and per operation id seen (the arrays grow with the
 * dictionary's ids, up to the dimension's cardinality limit: {@code HeapBudget} counts {@link #BYTES_PER_ID} a
 * model and an operation).
 * <p>
 * Threading: {@link #weight} only on the journal handler's thread; allocates nothing in steady state (an array grows
 * when an id beyond it first turns up). The sampling is fixed for the store's life.
 */
public final class Sampler {
    /** The sampler's bytes per model and per operation id: N, a counter, a name reference (in HeapBudget). */
    public static final int BYTES_PER_ID = 4 + 8 + 8;
    private static final byte OK = (byte)Status.OK.ordinal();
    /** The ids of each lane: model, then operation. */
    private static final Dimension[] LANES = {Dimension.MODEL, Dimension.OPERATION};

    private final Sampling sampling;
    private final Dictionary dictionary;
    private final long slowNs;
    private final boolean keepsAll;
    /** By lane and id: N, the events seen, and the name N was resolved for (an id may be given to another value). */
    private final int[][] every = new int[LANES.length][];
    private final long[][] seen = new long[LANES.length][];
    private final String[][] resolvedName = new String[LANES.length][];

    /**
     * @param sampling   the rules.
     * @param dictionary the store's, to name an event's model and operation.
     */
    public Sampler(final Sampling sampling, final Dictionary dictionary) {
        this.sampling = sampling;
        this.dictionary = dictionary;
        this.slowNs = sampling.slowMs() == 0 ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(sampling.slowMs());
        this.keepsAll = sampling.keepsAll();
        for (int lane = 0; lane < LANES.length; lane++) {
            every[lane] = new int[16];
            seen[lane] = new long[16];
            resolvedName[lane] = new String[16];
        }
    }

    /** @return the rules this sampler follows. */
    public Sampling sampling() {
        return sampling;
    }

    /**
     * @param slot an event.
     * @return 0 if the journal leaves the event out, else its weight: 1 for an event kept for itself (every event
     * when nothing is sampled, an error, a slow event), N for the one event of N of its rule that is kept.
     */
    public int weight(final EventSlot slot) {
        if (keepsAll || slot.status != OK || slot.latencyNs >= slowNs) {
            return 1;
        }
        final int lane = slot.model != 0 ? 0 : 1;
        final int id = lane == 0 ? slot.model : slot.operation;
        final int n = every(lane, id);
        if (n == 1) {
            return 1;
        }
        final long count = seen[lane][id]++;
        return count % n == 0 ? n : 0;
    }

    private int every(final int lane, final int id) {
        if (id >= every[lane].length) {
            final int length = Math.max(id + 1, every[lane].length * 2);
            every[lane] = Arrays.copyOf(every[lane], length);
            seen[lane] = Arrays.copyOf(seen[lane], length);
            resolvedName[lane] = Arrays.copyOf(resolvedName[lane], length);
        }
        final String name = id == 0 ? "" : dictionary.name(LANES[lane], id);
        if (resolvedName[lane][id] != name) {   // first seen, or the id now names another value
            every[lane][id] = lane == 0 ? sampling.everyFor(name, null) : sampling.everyFor(null, id == 0 ? null : name);
            seen[lane][id] = 0;
            resolvedName[lane][id] = name;
        }
        return every[lane][id];
    }
}
