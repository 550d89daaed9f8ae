package dev.ringmeter.core.aggregate;

import java.util.Arrays;

/**
 * Lets readers hold buckets without the aggregates' lock while the writer goes on: copy-on-write. Two kinds of
 * reader hold buckets:
 * <ul>
 *   <li>a snapshot: {@link #freeze()}, at the capture, freezes every bucket that exists at that moment until the
 *   snapshot thread calls {@link #thaw()} once it has written them;</li>
 *   <li>a window query: it pins the buckets it will merge ({@link Bucket#pin()}) under the aggregates' lock, merges
 *   them after releasing it, then unpins them.</li>
 * </ul>
 * The writer never waits for either. Before it changes a bucket it asks {@link #mayChange}; if a reader holds the
 * bucket, it puts {@link #replace a replacement} in the bucket's place in its ring (a copy, or an empty spare when the
 * bucket is about to start a new interval) and changes that. The bucket held is set aside, untouched, until no
 * reader holds it, then kept as a spare (up to {@value #MAX_SPARES} of each kind) for the next replacement, so the
 * writer allocates nothing in steady state. What is set aside at any time is bounded by what readers hold: the
 * buckets of one snapshot and of the window queries running.
 * <p>
 * Threading: the writer's (the aggregate thread, or the closing thread once it has stopped) but for {@link #thaw()},
 * which the snapshot thread calls; the frozen generation is volatile between them. At most one snapshot is frozen
 * at a time: the writer freezes again only after it saw the thaw.
 */
final class CopyOnWrite {
    static final int MAX_SPARES = 256;
    private static final long NOTHING_FROZEN = Long.MIN_VALUE;

    private final int histogramDigits;
    private final int qualityNames;
    /** Whether its buckets keep only the latency histogram (an in-memory comparison's). */
    private final boolean latencyOnly;
    /** The writer's generation: buckets taken into a ring now get it. */
    private long generation;
    /** Buckets of a generation below this are frozen for a snapshot; {@link #NOTHING_FROZEN} when none is. */
    private volatile long frozenBelow = NOTHING_FROZEN;
    private Bucket[] setAside = new Bucket[64];
    private int setAsideCount;
    /** Set-aside buckets at which {@link #replace} looks for ones no reader holds any more. */
    private int reclaimAt = 64;
    /** Spares by kind: [0] int histogram counts, [1] long counts. */
    private final Bucket[][] spares = {new Bucket[MAX_SPARES], new Bucket[MAX_SPARES]};
    private final int[] spareCount = new int[2];
    private long copies;

    /**
     * @param histogramDigits significant digits of the buckets' histograms.
     * @param qualityNames    the number of quality score names the store allows.
     */
    CopyOnWrite(final int histogramDigits, final int qualityNames) {
        this(histogramDigits, qualityNames, false);
    }

    /**
     * @param latencyOnly whether its buckets keep only the latency histogram (see {@link Measures}).
     */
    CopyOnWrite(final int histogramDigits, final int qualityNames, final boolean latencyOnly) {
        this.histogramDigits = histogramDigits;
        this.qualityNames = qualityNames;
        this.latencyOnly = latencyOnly;
    }

    /**
     * @param longCounts whether its histograms count in 64 bits.
     * @return a new empty bucket for a ring, of the current generation.
     */
    /**
     * @param histogramDigits significant digits of the histograms.
     * @param qualityNames    the number of quality score names allowed.
     * @return the most heap the spares hold: {@value #MAX_SPARES} buckets of each kind, at their widest.
     */
    static long widestSparesBytes(final int histogramDigits, final int qualityNames) {
        return MAX_SPARES * (2 * Bucket.OWN_BYTES + Measures.widestBytes(histogramDigits, false, qualityNames, true)
            + Measures.widestBytes(histogramDigits, true, qualityNames, true));
    }

    Bucket newBucket(final boolean longCounts) {
        final Bucket b = new Bucket(histogramDigits, longCounts, qualityNames, latencyOnly);
        b.generation = generation;
        return b;
    }

    /**
     * @param b a bucket of a ring.
     * @return whether the writer may change it in place: no snapshot has it frozen and no query has it pinned.
     */
    boolean mayChange(final Bucket b) {
        return b.generation >= frozenBelow && !b.pinned();
    }

    /**
     * Sets a bucket a reader holds aside and gives the writer one to put in its place.
     *
     * @param held         the bucket, which stays as it is for its readers.
     * @param keepContents true for a copy of it; false for an empty spare (its interval is over).
     * @return the replacement, of the current generation, that no reader holds.
     */
    Bucket replace(final Bucket held, final boolean keepContents) {
        if (setAsideCount >= reclaimAt) {
            reclaim();
            reclaimAt = Math.max(64, 2 * setAsideCount);
        }
        final int kind = held.measures.longCounts() ? 1 : 0;
        final Bucket b = spareCount[kind] > 0 ? spares[kind][--spareCount[kind]] : newBucket(kind == 1);
        spares[kind][spareCount[kind]] = null;
        b.generation = generation;
        if (keepContents) {
            b.copyFrom(held);
            copies++;
        }
        if (setAsideCount == setAside.length) {
            setAside = Arrays.copyOf(setAside, setAside.length * 2);
        }
        setAside[setAsideCount++] = held;
        return b;
    }

    /**
     * Freezes every bucket of every ring for a snapshot that is about to capture them, and makes the set-aside
     * buckets no reader holds any more spares again. Writer only; the previous snapshot must have thawed.
     */
    void freeze() {
        if (frozenBelow != NOTHING_FROZEN) {
            throw new IllegalStateException("a snapshot is still frozen");
        }
        reclaim();
        generation++;
        frozenBelow = generation;
    }

    /** The snapshot has written every bucket it captured: the writer may change them again. Any thread. */
    void thaw() {
        frozenBelow = NOTHING_FROZEN;
    }

    /** @return whether a snapshot has buckets frozen. */
    boolean frozen() {
        return frozenBelow != NOTHING_FROZEN;
    }

    /** @return buckets copied so that a reader could keep one, since the store started. */
    long copies() {
        return copies;
    }

    /** @return buckets set aside for their readers now. */
    int setAside() {
        return setAsideCount;
    }

    private void reclaim() {
        int kept = 0;
        for (int i = 0; i < setAsideCount; i++) {
            final Bucket b = setAside[i];
            setAside[i] = null;
            if (mayChange(b)) {
                final int kind = b.measures.longCounts() ? 1 : 0;
                if (spareCount[kind] < MAX_SPARES) {
                    spares[kind][spareCount[kind]++] = b;
                }
            } else {
                setAside[kept++] = b;
            }
        }
        setAsideCount = kept;
    }
}
