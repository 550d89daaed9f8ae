package dev.ringmeter.core.cost;

import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The store's prices: the user's price entries with their history of changes (each change a revision: 1, 2, ...),
 * the built-in list ({@link BuiltInPrices}, revision 0, used as defaults: user entries win), the recomputes
 * journaled so far, and the one place that gives an event its cost ({@link #stamp}).
 * <p>
 * <b>Threading: one writer, any number of readers.</b> The writer is the ring's first consumer (the
 * {@code JournalHandler} of a durable store, else the {@code AggregateHandler}), and before the ring starts the
 * thread that recovers the store. A change publishes a new immutable {@link State} through a volatile field, so a
 * reader on any thread (the price routes, a recompute) sees a whole version without a lock. The recompute marks
 * ({@link #recomputed}) are written by the aggregate thread (which knows their journal documents) or the
 * recovering thread, published the same way.
 * <p>
 * <b>Stamping allocates nothing and evaluates no pattern.</b> The writer keeps, per model id, the model's matching
 * entries in precedence order ({@link PriceResolver#resolve}), resolved the first time an event of the model comes
 * after a change (regular expressions are evaluated then, once); an event's cost is then the first of them in force
 * at its time, priced by {@link PriceEntry#costUsd}. An event that carries its own cost keeps it.
 * <p>
 * <b>Memory.</b> At most {@value #MAX_CHANGES} changes (each an entry of a few hundred bytes) and
 * {@value #MAX_RECOMPUTES} recompute marks (32 bytes each) are kept: about 3 MB at the limits, whatever the
 * cardinality of models; the writer's cache is one reference per model id (the model limit, counted in the
 * {@code HeapBudget}'s per-model bytes as 16 bytes).
 */
public final class PriceBook {
    /** The most changes the book keeps; a change past it is refused. */
    public static final int MAX_CHANGES = 10_000;
    /** The most recomputes the book keeps; a recompute past it is refused. */
    public static final int MAX_RECOMPUTES = 10_000;
    private static final PriceEntry[] NO_ENTRIES = new PriceEntry[0];

    /**
     * One change of the entries.
     *
     * @param revision the revision it made.
     * @param entryId  the entry put or removed.
     * @param entry    the entry put, or null for a removal.
     */
    public record Change(long revision, long entryId, PriceEntry entry) {
    }

    /**
     * A recompute as the journal holds it: it covers the events of its range in the journal documents before its
     * own.
     *
     * @param fromMs       range start, inclusive.
     * @param toMs         range end, exclusive.
     * @param revision     of the price book it repriced with.
     * @param journalIndex of its journal document.
     */
    public record RecomputeMark(long fromMs, long toMs, long revision, long journalIndex) {
        /**
         * @return whether this recompute covers an event at this time in this journal document.
         */
        public boolean covers(final long timeMs, final long eventJournalIndex) {
            return timeMs >= fromMs && timeMs < toMs && eventJournalIndex < journalIndex;
        }
    }

    /**
     * One version of the book.
     *
     * @param revision the number of changes applied.
     * @param user     the user's entries in force, by id.
     * @param changes  every change, in order of revision.
     */
    record State(long revision, PriceEntry[] user, Change[] changes) {
    }

    private final Dictionary dictionary;
    private final BuiltInPrices builtIn;
    private volatile State state = new State(0, NO_ENTRIES, new Change[0]);
    private volatile RecomputeMark[] recomputes = new RecomputeMark[0];
    /** The writer's: per model id, its candidates under {@link #resolvedRevision}; null until resolved. */
    private PriceEntry[][] resolved = new PriceEntry[16][];
    private long resolvedRevision;

    /**
     * @param dictionary the store's, to name the model ids of events.
     * @param builtIn    the built-in list.
     */
    public PriceBook(final Dictionary dictionary, final BuiltInPrices builtIn) {
        this.dictionary = dictionary;
        this.builtIn = builtIn;
    }

    /**
     * Writer only, in ring order: an event without a cost of its own gets the cost of the entry in force at its
     * time (NaN, cost unknown, if none; an event without a model has none) and is marked as priced by the store; a
     * price change is applied; a recompute learns the revision it reprices with; a legacy price record (kind 3,
     * read from an old journal) becomes an exact entry effective from its time. Allocates only on a change and when
     * a model is first resolved after one.
     *
     * @param slot the next slot in ring order.
     */
    public void stamp(final EventSlot slot) {
        switch (slot.kind) {
            case EventSlot.KIND_EVENT:
                if (slot.costUsd != slot.costUsd && slot.model == 0) {
                    // an event without a model (a tool call, a task, a pipeline step) has no tokens to price: it
                    // costs what its caller gives, else nothing, as if given 0 (a recompute leaves it alone)
                    slot.costUsd = 0;
                } else if (slot.costUsd != slot.costUsd) {
                    final PriceEntry e = PriceResolver.inForce(candidates(slot.model), slot.timestampMs);
                    if (e != null) {
                        slot.costUsd = e.costUsd(slot.promptTokens, slot.completionTokens, slot.cachedTokens,
                            slot.cacheWriteTokens, slot.reasoningTokens);
                        slot.costPriced = true;
                    }
                }
                break;
            case EventSlot.KIND_PRICE_ENTRY:
                apply(slot.priceChange);
                break;
            case EventSlot.KIND_RECOMPUTE:
                if (slot.recompute.revision() < 0) {
                    slot.recompute.revision(state.revision());
                }
                break;
            case EventSlot.KIND_PRICE:
                apply(PriceChange.put(legacy(dictionary.name(Dimension.MODEL, slot.model), slot.timestampMs,
                    slot.priceInputUsdPerMillion, slot.priceOutputUsdPerMillion)));
                break;
            default:
                break;
        }
    }

    /**
     * @param model              name.
     * @param effectiveFromMs    when it applies from.
     * @param inputUsdPerMillion  USD per million prompt tokens.
     * @param outputUsdPerMillion USD per million completion tokens.
     * @return an exact entry with two prices, as {@code setPrice} and the legacy price records give.
     */
    public static PriceEntry legacy(final String model, final long effectiveFromMs, final double inputUsdPerMillion,
                                    final double outputUsdPerMillion) {
        return new PriceEntry(0, 0, false, MatchKind.EXACT, model, effectiveFromMs,
            new PriceTier(0, inputUsdPerMillion, outputUsdPerMillion, Double.NaN, Double.NaN, Double.NaN),
            new PriceTier[0]);
    }

    /** Writer only: the model's candidates, resolved on first use after a change. */
    private PriceEntry[] candidates(final int model) {
        if (model <= 0) {
            return NO_ENTRIES;
        }
        final State s = state;
        if (resolvedRevision != s.revision()) {
            resolved = new PriceEntry[resolved.length][];
            resolvedRevision = s.revision();
        }
        if (model >= resolved.length) {
            resolved = Arrays.copyOf(resolved, Math.max(model + 1, resolved.length * 2));
        }
        PriceEntry[] c = resolved[model];
        if (c == null) {
            c = PriceResolver.resolve(s.user(), builtIn.entries(), dictionary.name(Dimension.MODEL, model));
            resolved[model] = c;
        }
        return c;
    }

    /**
     * Writer only: applies a change, deciding its id and revision (a journaled one keeps those it was journaled
     * with; one the book already holds, as after a snapshot that includes it, is skipped). Idempotent: a change
     * already decided is not applied twice.
     *
     * @param c the change.
     */
    public void apply(final PriceChange c) {
        final State s = state;
        if (c.decided()) {
            if (c.revision() == 0 || c.revision() <= s.revision()) {
                return;   // refused when written, or already in the book
            }
            if (c.revision() != s.revision() + 1) {
                System.getLogger(PriceBook.class.getName()).log(System.Logger.Level.WARNING, "price change of "
                    + "revision " + c.revision() + " follows revision " + s.revision() + ": the changes in between "
                    + "are not in the journal read (deleted by retention with no usable snapshot); a recompute with "
                    + "one of them prices as if they were never made");
            }
            publish(s, c.revision(), c.appliedId(), c.decidedEntry());
            return;
        }
        if (s.changes().length >= MAX_CHANGES) {
            c.refuse("the price book holds " + MAX_CHANGES + " changes, its limit; no more can be made");
            return;
        }
        final long revision = s.revision() + 1;
        if (c.entry == null) {
            if (find(s.user(), c.entryId) < 0) {
                c.refuse("no price entry has the id " + c.entryId);
                return;
            }
            c.decide(c.entryId, revision);
            publish(s, revision, c.entryId, null);
            return;
        }
        long id = c.entryId > 0 ? c.entryId : revision;
        if (c.upsert) {
            for (final PriceEntry e : s.user()) {
                if (e.match() == MatchKind.EXACT && e.pattern().equals(c.entry.pattern())
                    && e.effectiveFromMs() == c.entry.effectiveFromMs()) {
                    id = e.id();
                }
            }
        }
        c.decide(id, revision);
        publish(s, revision, id, c.decidedEntry());
    }

    private void publish(final State s, final long revision, final long id, final PriceEntry entry) {
        final int at = find(s.user(), id);
        final List<PriceEntry> user = new ArrayList<>(Arrays.asList(s.user()));
        if (at >= 0) {
            user.remove(at);
        }
        if (entry != null) {
            user.add(entry);
        }
        final Change[] changes = Arrays.copyOf(s.changes(), s.changes().length + 1);
        changes[changes.length - 1] = new Change(revision, id, entry);
        state = new State(revision, user.toArray(NO_ENTRIES), changes);
    }

    private static int find(final PriceEntry[] entries, final long id) {
        for (int i = 0; i < entries.length; i++) {
            if (entries[i].id() == id) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The aggregate thread (or recovery): notes a journaled recompute. Idempotent: one already noted is not again.
     *
     * @param mark the recompute.
     */
    public void recomputed(final RecomputeMark mark) {
        final RecomputeMark[] r = recomputes;
        for (final RecomputeMark m : r) {
            if (m.journalIndex() == mark.journalIndex()) {
                return;
            }
        }
        final RecomputeMark[] next = Arrays.copyOf(r, r.length + 1);
        next[r.length] = mark;
        recomputes = next;
    }

    /** @return the recomputes journaled, in journal order; any thread. */
    public List<RecomputeMark> recomputes() {
        return List.of(recomputes);
    }

    /** @return the number of changes applied; any thread. */
    public long revision() {
        return state.revision();
    }

    /** @return the number of changes kept; any thread. */
    public int changeCount() {
        return state.changes().length;
    }

    /** @return the user's entries in force now, by id; any thread. */
    public List<PriceEntry> entries() {
        final List<PriceEntry> list = new ArrayList<>(List.of(state.user()));
        list.sort(java.util.Comparator.comparingLong(PriceEntry::id));
        return list;
    }

    /** @return the built-in list. */
    public BuiltInPrices builtIn() {
        return builtIn;
    }

    /** @return a resolver of the entries as they stand now; any thread. */
    public PriceResolver resolver() {
        return new PriceResolver(state.user(), builtIn.entries());
    }

    /**
     * @param revision a revision the book has made (0 to {@link #revision()}).
     * @return a resolver of the entries as they stood after that revision; any thread.
     */
    public PriceResolver resolver(final long revision) {
        final State s = state;
        if (revision < 0 || revision > s.revision()) {
            throw new IllegalArgumentException("revision " + revision + " is not one of 0 to " + s.revision());
        }
        final List<PriceEntry> user = new ArrayList<>();
        for (final Change c : s.changes()) {
            if (c.revision() > revision) {
                break;
            }
            user.removeIf(e -> e.id() == c.entryId());
            if (c.entry() != null) {
                user.add(c.entry());
            }
        }
        return new PriceResolver(user.toArray(NO_ENTRIES), builtIn.entries());
    }

    /**
     * Writes the book to a snapshot (version 5): any thread, one consistent version.
     * <pre>
     *  revision:8 changeCount:4 { revision:8 entryId:8 put:1 [entry] }* recomputeCount:4
     *  { fromMs:8 toMs:8 revision:8 journalIndex:8 }*
     *  entry: match:1 pattern:UTF effectiveFromMs:8 base:tier tierCount:1 tier*
     *  tier:  aboveInputTokens:8 input:8 output:8 cacheRead:8 cacheWrite:8 reasoning:8 (doubles, NaN: default)
     * </pre>
     *
     * @param out to write to.
     * @throws IOException if the write fails.
     */
    public void write(final DataOutput out) throws IOException {
        final State s = state;
        final RecomputeMark[] r = recomputes;
        out.writeLong(s.revision());
        out.writeInt(s.changes().length);
        for (final Change c : s.changes()) {
            out.writeLong(c.revision());
            out.writeLong(c.entryId());
            out.writeBoolean(c.entry() != null);
            if (c.entry() != null) {
                writeEntry(out, c.entry());
            }
        }
        out.writeInt(r.length);
        for (final RecomputeMark m : r) {
            out.writeLong(m.fromMs());
            out.writeLong(m.toMs());
            out.writeLong(m.revision());
            out.writeLong(m.journalIndex());
        }
    }

    /**
     * Reads a book written by {@link #write}: before the ring starts.
     *
     * @param in to read from.
     * @throws IOException if the read fails or the data is bad.
     */
    public void read(final DataInput in) throws IOException {
        final long revision = in.readLong();
        final int n = in.readInt();
        if (n < 0 || n > MAX_CHANGES || n > revision) {
            throw new IOException("bad price change count " + n + " at revision " + revision);
        }
        for (int i = 0; i < n; i++) {
            final long rev = in.readLong();
            final long id = in.readLong();
            final PriceEntry entry = in.readBoolean() ? readEntry(in, id, rev) : null;
            apply(PriceChange.journaled(entry, id, rev));
        }
        final int m = in.readInt();
        if (m < 0 || m > MAX_RECOMPUTES) {
            throw new IOException("bad recompute count " + m);
        }
        for (int i = 0; i < m; i++) {
            recomputed(new RecomputeMark(in.readLong(), in.readLong(), in.readLong(), in.readLong()));
        }
    }

    /**
     * Reads the price table of a snapshot of version 4 or older ({model id, input, output} per model): each price
     * becomes an exact entry effective from 0, as the table priced every event after it whatever its time.
     *
     * @param in to read from.
     * @throws IOException if the read fails or the data is bad.
     */
    public void readLegacyTable(final DataInput in) throws IOException {
        final int n = in.readInt();
        if (n < 0 || n > 10_000_000) {
            throw new IOException("bad price count " + n);
        }
        for (int i = 0; i < n; i++) {
            final int model = in.readInt();
            if (!dictionary.knows(Dimension.MODEL, model)) {
                throw new IOException("bad priced model id " + model);
            }
            apply(PriceChange.upsert(legacy(dictionary.name(Dimension.MODEL, model), 0, in.readDouble(),
                in.readDouble())));
        }
    }

    /**
     * @param e an entry.
     * @return its bytes in the layout of {@link #write} ({@code entry}), as a journal record carries them.
     */
    public static byte[] encode(final PriceEntry e) {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(128);
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            writeEntry(out, e);
        } catch (final IOException impossible) {
            throw new java.io.UncheckedIOException(impossible);
        }
        return bytes.toByteArray();
    }

    /**
     * @param bytes    an entry's, from {@link #encode}.
     * @param id       its id.
     * @param revision the change that set it.
     * @return the entry.
     * @throws IllegalStateException if the bytes are not an entry that meets the rules.
     */
    public static PriceEntry decode(final byte[] bytes, final long id, final long revision) {
        try {
            return readEntry(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes)), id, revision);
        } catch (final IOException e) {
            throw new IllegalStateException("bad price entry record: " + e.getMessage(), e);
        }
    }

    /** The most bytes {@link #encode} gives: a pattern of the longest length at 3 bytes a char, every tier. */
    public static final int ENCODED_MAX_LENGTH = 1 + 2 + 3 * PriceEntryRules.MAX_PATTERN_LENGTH + 8 + 48 + 1
        + PriceEntryRules.MAX_TIERS * 48;

    static void writeEntry(final DataOutput out, final PriceEntry e) throws IOException {
        out.writeByte(e.match().ordinal());
        out.writeUTF(e.pattern());
        out.writeLong(e.effectiveFromMs());
        writeTier(out, e.base());
        out.writeByte(e.tierCount());
        for (int i = 0; i < e.tierCount(); i++) {
            writeTier(out, e.tier(i));
        }
    }

    private static void writeTier(final DataOutput out, final PriceTier t) throws IOException {
        out.writeLong(t.aboveInputTokens());
        out.writeDouble(t.inputUsdPerMillion());
        out.writeDouble(t.outputUsdPerMillion());
        out.writeDouble(t.cacheReadUsdPerMillion());
        out.writeDouble(t.cacheWriteUsdPerMillion());
        out.writeDouble(t.reasoningUsdPerMillion());
    }

    static PriceEntry readEntry(final DataInput in, final long id, final long revision) throws IOException {
        final int match = in.readByte();
        if (match < 0 || match >= MatchKind.values().length) {
            throw new IOException("bad price entry match " + match);
        }
        final String pattern = in.readUTF();
        final long effectiveFromMs = in.readLong();
        final PriceTier base = readTier(in);
        final int tiers = in.readByte();
        if (tiers < 0 || tiers > PriceEntryRules.MAX_TIERS) {
            throw new IOException("bad price tier count " + tiers);
        }
        final PriceTier[] t = new PriceTier[tiers];
        for (int i = 0; i < tiers; i++) {
            t[i] = readTier(in);
        }
        try {
            PriceEntryRules.check(MatchKind.values()[match], pattern, effectiveFromMs, base, t);
        } catch (final RuntimeException e) {
            throw new IOException("bad price entry " + id + ": " + e.getMessage(), e);
        }
        return new PriceEntry(id, revision, false, MatchKind.values()[match], pattern, effectiveFromMs, base, t);
    }

    private static PriceTier readTier(final DataInput in) throws IOException {
        return new PriceTier(in.readLong(), in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble(),
            in.readDouble());
    }
}
