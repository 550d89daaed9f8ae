package dev.ringmeter.core.cost;

/**
 * A recompute on its way through the ring: its range, and what the ring's consumers decide of it: the price
 * book's revision it reprices with (the writer's, at the request's place in the ring) and the journal document it
 * was written in (the first record of its own document, so that the events it covers are exactly those of the
 * documents before it).
 * <p>
 * Threading: created by the caller; the revision is set by the price book's writer, the index by the aggregate
 * handler; the caller reads both after its flush returned true (volatile besides).
 */
public final class RecomputeRequest {
    public final long fromMs;
    public final long toMs;
    private volatile long revision = -1;
    private volatile long journalIndex = -1;

    /**
     * @param fromMs the range's start, inclusive.
     * @param toMs   its end, exclusive.
     */
    public RecomputeRequest(final long fromMs, final long toMs) {
        this.fromMs = fromMs;
        this.toMs = toMs;
    }

    /**
     * A recompute read from the journal.
     *
     * @return the request with its revision.
     */
    public static RecomputeRequest journaled(final long fromMs, final long toMs, final long revision) {
        final RecomputeRequest r = new RecomputeRequest(fromMs, toMs);
        r.revision = revision;
        return r;
    }

    /** @return the price book's revision it reprices with, -1 until the writer set it. */
    public long revision() {
        return revision;
    }

    void revision(final long revision) {
        this.revision = revision;
    }

    /** @return the index of the journal document it was written in, -1 until known. */
    public long journalIndex() {
        return journalIndex;
    }

    /** @param index of its journal document. */
    public void journalIndex(final long index) {
        this.journalIndex = index;
    }
}
