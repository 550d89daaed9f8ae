package dev.ringmeter.core.cost;

/**
 * A change to the price entries on its way through the ring: a put of an entry (a new one, or one that replaces
 * the entry of the same id; {@link #upsert} replaces the user's exact entry of the same model effective from the
 * same time, which is what {@code setPrice} does), or the removal of one. The price book's writer decides the
 * change's id and revision as it applies it ({@link PriceBook#apply}) and the journal record carries them, so a
 * replay applies it the same way; a removal of an entry that is not there, or a change past the book's limit, is
 * refused ({@link #refusal()}) and changes nothing.
 * <p>
 * Threading: created by the caller, applied by the price book's one writer; the caller reads the outcome after its
 * flush returned true (the ring's sequences order the writes before it), the outcome fields are volatile besides.
 */
public final class PriceChange {
    /** The entry put, its id and revision not yet decided (0); null for a removal. */
    public final PriceEntry entry;
    /** The id of the entry removed, or of the entry a put replaces (0: a new entry). */
    public final long entryId;
    /** Whether a put replaces the user's exact entry of the same pattern and effective-from. */
    public final boolean upsert;
    private volatile long revision;
    private volatile long appliedId;
    private volatile String refusal;
    private volatile boolean decided;

    private PriceChange(final PriceEntry entry, final long entryId, final boolean upsert) {
        this.entry = entry;
        this.entryId = entryId;
        this.upsert = upsert;
    }

    /**
     * @param entry to add (its id and revision are decided by the writer).
     * @return a put of a new entry.
     */
    public static PriceChange put(final PriceEntry entry) {
        return new PriceChange(entry, 0, false);
    }

    /**
     * @param entry an exact entry.
     * @return a put that replaces the user's exact entry of the same model and effective-from, if there is one.
     */
    public static PriceChange upsert(final PriceEntry entry) {
        return new PriceChange(entry, 0, true);
    }

    /**
     * @param entryId of a user entry.
     * @return its removal.
     */
    public static PriceChange remove(final long entryId) {
        return new PriceChange(null, entryId, false);
    }

    /**
     * A change read from the journal, as the writer decided it.
     *
     * @param entry    the entry put with its id and revision, or null for a removal.
     * @param entryId  the id put or removed.
     * @param revision the change's revision; 0 for a change that was refused.
     * @return the change, decided.
     */
    public static PriceChange journaled(final PriceEntry entry, final long entryId, final long revision) {
        final PriceChange c = new PriceChange(entry, entryId, false);
        c.revision = revision;
        c.appliedId = entryId;
        c.decided = true;
        return c;
    }

    void decide(final long id, final long revision) {
        this.appliedId = id;
        this.revision = revision;
        this.decided = true;
    }

    void refuse(final String why) {
        this.refusal = why;
        this.decided = true;
    }

    /** @return whether the writer applied or refused it. */
    public boolean decided() {
        return decided;
    }

    /** @return the revision it made, 0 if refused or not yet decided. */
    public long revision() {
        return revision;
    }

    /** @return the id of the entry put or removed. */
    public long appliedId() {
        return appliedId;
    }

    /** @return why the writer refused it, or null. */
    public String refusal() {
        return refusal;
    }

    /** @return the entry as the journal holds it: with its decided id and revision; null for a removal. */
    public PriceEntry decidedEntry() {
        return entry == null ? null : entry.id() == appliedId && entry.revision() == revision ? entry
            : entry.withIdentity(appliedId, revision);
    }
}
