package dev.ringmeter.core.dictionary;

import dev.ringmeter.CardinalityLimitException;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.core.StoreConfig;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps the string values of each {@link Dimension} to dense ids from 1 to the dimension's cardinality limit (0 means
 * absent). Those two rules are written here only ({@link #checkLength}, {@link #checkRoom});
 * {@link DictionaryAdmission} applies them to a whole batch before any of it is recorded.
 * <p>
 * A {@linkplain Dimension#released() pinned} dimension keeps its ids for the store's life, and its limit counts every
 * value it ever had. A released dimension holds an id only while its value is <em>live</em>: the
 * {@link IdleRelease} of the aggregate thread notes when each id was last used and, once one is idle past the
 * store's {@code dictionaryIdleMs}, {@link #releaseIdle releases} it: its name leaves the name-to-id map (the next
 * use of the value gets an id anew) and the id waits in quarantine until every consumer of the ring has passed the
 * last slot claimed at the release, so that no slot still in the ring can carry it; only then is it free for
 * another value. The limit of a released dimension counts the ids in use: live ones and the few in quarantine.
 * <p>
 * A snapshot captures the aggregates at one journal position and writes this dictionary later, on its own thread,
 * while producers and the aggregate thread go on, releasing ids and giving them to other values. It must name each
 * id as the journal records after its position mean it, up to a dictionary record that rebinds the id (which the
 * journal writes before the first record of an id given to another value). So from the capture
 * ({@link #captureForSnapshot}) until the snapshot is written ({@link #snapshotWritten}), an id freed keeps the
 * name it had, and {@link #write} writes that name (as one in quarantine) rather than the value the id was given
 * since. Nothing else changes meanwhile: releases, frees and new values go on, so a snapshot in flight never
 * makes a full dimension refuse a value.
 * <p>
 * Threading: {@link #id}, {@link #find}, {@link #name} and {@link #size} may be called from any thread and take no
 * lock; a known value costs one hash lookup and allocates nothing. A new value, a release, the capture for a
 * snapshot and its end, and the methods that restore or copy the dictionary take this object's monitor. An id a
 * reader got from the map, or from a ring slot filled with one, resolves through {@link #name} to its value: the
 * name is stored before the id is put in the map (whose put and get order them), and an id is reassigned only once
 * no slot carries it.
 */
public final class Dictionary {
    /** Where the ring stands, for the quarantine of released ids. */
    public interface RingPosition {
        /** @return the highest sequence any producer has claimed. */
        long claimedSequence();

        /** @return the sequence every consumer has passed. */
        long passedSequence();
    }

    private static final int[] NO_IDS = new int[0];

    private final Values[] values;
    /** The pipeline steps (pairs of pipeline and step) the aggregates keep, within the step dimension's limit. */
    private final StepPairs stepPairs = new StepPairs();
    private final int maxStringLength;
    private final EpochClock clock;
    private final long idleMs;
    private final String[] howToRaise;
    private volatile RingPosition ring;
    /** The aggregate thread's record of uses, once its {@link IdleRelease} exists. */
    private volatile IdleRelease lastUse;
    /** Under the lock, by dimension: when a full dimension last swept itself, {@link IdleRelease} seconds. */
    private final int[] sweptWhenFullS;
    /** Under the lock: the claimed sequence the ring must pass before the ids in quarantine are free; -1: none. */
    private long quarantineSequence = -1;
    /** Under the lock: a snapshot is in flight, so a freed id keeps its name for it ({@link #captureForSnapshot}). */
    private boolean snapshotInFlight;

    /** The values of one dimension. */
    private static final class Values {
        final Dimension dimension;
        final int limit;
        /** Ids run from 1 to this: the limit, or twice it for a released dimension (room for the quarantine). */
        final int idLimit;
        final boolean released;
        final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
        /** By id; replaced (never changed in place for a longer one) when it grows, so a reader sees a whole one. */
        volatile String[] names = new String[16];
        volatile int live;
        /** Under the lock from here on: ids 1..highWater have been given out. */
        int highWater;
        int[] free = NO_IDS;
        int freeCount;
        int[] quarantined = NO_IDS;
        int quarantinedCount;
        /** Released dimensions: when each live id was given, in {@link IdleRelease} seconds; -1 if not live. */
        int[] givenAtS = NO_IDS;
        /** By id, while a snapshot is in flight: the name of an id freed since its capture, as it was then. */
        String[] namesAtCapture = new String[0];
        /** The ids {@link #namesAtCapture} holds a name for, to clear it when the snapshot is written. */
        int[] freedSinceCapture = NO_IDS;
        int freedSinceCaptureCount;

        Values(final Dimension dimension, final int limit) {
            this.dimension = dimension;
            this.limit = limit;
            this.released = dimension.released();
            this.idLimit = idLimit(dimension, limit);
        }

        /** @return how many more ids can be given now. */
        int idsLeft() {
            return freeCount + idLimit - highWater;
        }
    }

    /**
     * @param dimension a dimension.
     * @param limit     its cardinality limit.
     * @return the largest id it can have: the limit for a pinned dimension, twice it for a released one (the ids of
     * values released a moment ago wait in quarantine beside the live ones).
     */
    public static int idLimit(final Dimension dimension, final int limit) {
        return dimension.released() || dimension.formerlyReleased() ? 2 * limit : limit;
    }

    /**
     * A dictionary whose released dimensions release values idle for 10 minutes of the system clock.
     *
     * @param limits          cardinality limit of each dimension, indexed by ordinal.
     * @param maxStringLength longest value accepted, in chars.
     */
    public Dictionary(final int[] limits, final int maxStringLength) {
        this(limits, maxStringLength, SystemEpochClock.INSTANCE, 600_000, new String[Dimension.VALUES.length]);
    }

    /**
     * The dictionary of a store.
     *
     * @param config the store's, concluded: its limits, string length, clock, idle window and heap budget.
     */
    public Dictionary(final StoreConfig config) {
        this(config.cardinalityLimits(), config.maxStringLength(), config.clock(), config.dictionaryIdleMs(),
            config.heapBudget().howToRaise());
    }

    /**
     * @param limits          cardinality limit of each dimension, indexed by ordinal.
     * @param maxStringLength longest value accepted, in chars.
     * @param clock           the store's clock: when a value was given its id.
     * @param idleMs          how long a value of a released dimension stays live without being used.
     * @param howToRaise      what a refusal at each dimension's limit says about raising it, indexed by ordinal (null
     *                        elements for the generic advice): {@code HeapBudget.howToRaise()}.
     */
    public Dictionary(final int[] limits, final int maxStringLength, final EpochClock clock, final long idleMs,
                      final String[] howToRaise) {
        this.values = new Values[Dimension.VALUES.length];
        this.sweptWhenFullS = new int[Dimension.VALUES.length];
        Arrays.fill(sweptWhenFullS, Integer.MIN_VALUE);
        for (final Dimension d : Dimension.VALUES) {
            values[d.ordinal()] = new Values(d, limits[d.ordinal()]);
        }
        this.maxStringLength = maxStringLength;
        this.clock = clock;
        this.idleMs = idleMs;
        this.howToRaise = howToRaise.clone();
    }

    /**
     * Lets released ids wait for the ring: until this is called (a dictionary without a ring, or one being
     * recovered) a released id is free at once.
     *
     * @param position of the store's ring.
     */
    public void trackRing(final RingPosition position) {
        this.ring = position;
    }

    /** Called by the {@link IdleRelease} of this dictionary as it is built. */
    void trackUse(final IdleRelease idleRelease) {
        this.lastUse = idleRelease;
    }

    /**
     * @return how long a value of a released dimension stays live without being used, ms.
     */
    public long idleMs() {
        return idleMs;
    }

    /**
     * @param dimension of the value.
     * @param name      the value; null or empty means absent.
     * @return the value's id, 0 for absent.
     * @throws InvalidEventException     if the value is new and longer than the limit.
     * @throws CardinalityLimitException if the value is new and the dimension is full.
     */
    public int id(final Dimension dimension, final String name) {
        if (name == null || name.isEmpty()) {
            return 0;
        }
        final Integer id = values[dimension.ordinal()].ids.get(name);
        return id != null ? id : add(dimension, name);
    }

    /**
     * @param dimension of the value.
     * @param name      the value.
     * @return its id, or 0 if the value is not live (never adds).
     */
    public int find(final Dimension dimension, final String name) {
        if (name == null) {
            return 0;
        }
        final Integer id = values[dimension.ordinal()].ids.get(name);
        return id != null ? id : 0;
    }

    /**
     * @param dimension of the value.
     * @param id        of the value, as got from {@link #id} or a ring slot.
     * @return the value, or null for id 0 or an id not in use.
     */
    public String name(final Dimension dimension, final int id) {
        final String[] table = values[dimension.ordinal()].names;
        return id > 0 && id < table.length ? table[id] : null;
    }

    /**
     * @param dimension of the value.
     * @param id        read from the journal.
     * @return whether the id is within the dimension's ids (its limit; twice it for a released dimension) and has a
     * name.
     */
    public boolean knows(final Dimension dimension, final int id) {
        return id > 0 && id <= values[dimension.ordinal()].idLimit && name(dimension, id) != null;
    }

    /**
     * Lock-free.
     *
     * @param dimension to count.
     * @return the number of live values (for a pinned dimension, every value it had).
     */
    public int size(final Dimension dimension) {
        return values[dimension.ordinal()].live;
    }

    /**
     * @param dimension of the values.
     * @return a copy of the live values, in id order (for a pinned dimension, indexed by id - 1).
     */
    public synchronized String[] names(final Dimension dimension) {
        final Values v = values[dimension.ordinal()];
        final List<String> out = new ArrayList<>(v.live);
        for (int id = 1; id <= v.highWater; id++) {
            if (isLive(v, id)) {
                out.add(v.names[id]);
            }
        }
        return out.toArray(new String[0]);
    }

    /**
     * Lock-free; allocates nothing.
     *
     * @param pipeline id of the pipeline, 0 for a step of no pipeline.
     * @param step     id of the step.
     * @return the id of the pipeline step, or 0 if it has none (or step is 0).
     */
    public int findStepPair(final int pipeline, final int step) {
        return stepPairs.find(pipeline, step);
    }

    /**
     * The pipeline step of a pipeline and step id, given an id of its own on first use: the aggregates keep one per
     * pipeline step, and the step dimension's limit counts them (a step counts once per pipeline it runs in).
     *
     * @param pipeline id of the pipeline, 0 for a step of no pipeline.
     * @param step     id of the step; 0 gives 0.
     * @return the pipeline step's id.
     * @throws CardinalityLimitException naming the step field if it is new and the limit is reached.
     */
    public int stepPair(final int pipeline, final int step) {
        final int id = stepPairs.find(pipeline, step);
        return id != 0 || step == 0 ? id : addStepPair(pipeline, step, true);
    }

    /**
     * As {@link #stepPair}, for the recovering thread and the aggregate writer: a pair that no producer admitted (a
     * journal replayed under a lowered limit) gets an id only while there is room.
     *
     * @return the pipeline step's id, or 0 if there is no room for it.
     */
    public int recoverStepPair(final int pipeline, final int step) {
        final int id = stepPairs.find(pipeline, step);
        return id != 0 || step == 0 ? id : addStepPair(pipeline, step, false);
    }

    private synchronized int addStepPair(final int pipeline, final int step, final boolean refuse) {
        final int id = stepPairs.find(pipeline, step);
        if (id != 0) {
            return id;
        }
        if (stepPairs.count() >= values[Dimension.STEP.ordinal()].limit) {
            if (!refuse) {
                return 0;
            }
            checkStepPairRoom(1);
        }
        return stepPairs.add(pipeline, step);
    }

    /**
     * The limit of pipeline steps. Called holding this dictionary's lock.
     *
     * @param newPairs pipeline steps to add.
     * @throws CardinalityLimitException naming the step field if they would pass the step dimension's limit.
     */
    void checkStepPairRoom(final int newPairs) {
        final Values v = values[Dimension.STEP.ordinal()];
        if (stepPairs.count() + newPairs > v.limit) {
            final String how = howToRaise[v.dimension.ordinal()];
            throw new CardinalityLimitException(v.dimension.field(), v.limit, "has reached its limit of " + v.limit
                + " pipeline steps (a step counts once per pipeline it runs in), kept for the store's life; "
                + (how != null ? how : "raise it with StoreConfig.cardinalityLimit(Dimension.STEP, n) or the server's"
                + " --limit step=N"));
        }
    }

    /** @return the number of pipeline steps given an id. Lock-free. */
    public int stepPairs() {
        return stepPairs.count();
    }

    /**
     * Lock-free.
     *
     * @param id of a pipeline step.
     * @return its pipeline id (0 for none) in the high 32 bits and its step id in the low, or 0 if it has none.
     */
    public long stepPairKey(final int id) {
        return stepPairs.key(id);
    }

    private synchronized int add(final Dimension dimension, final String name) {
        final Values v = values[dimension.ordinal()];
        final Integer existing = v.ids.get(name);
        if (existing != null) {
            return existing;
        }
        checkLength(dimension, name);
        checkRoom(dimension, 1);
        final int id = v.freeCount > 0 ? v.free[--v.freeCount] : ++v.highWater;
        // a String of its own for each id given (it shares the characters): the journal handler tells an id given
        // again by its name's identity, so a value that gets back the id it had before a release must not look
        // journaled already (the snapshot taken while the id was free does not name it)
        final String own = v.released ? new String(name) : name;
        setName(v, id, own);
        if (v.released) {
            ensureGivenAt(v, id);
            v.givenAtS[id] = IdleRelease.seconds(clock.time());
        }
        v.ids.put(own, id);
        v.live = v.live + 1;
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
     * The cardinality rule: a dimension holds at most its limit of values (a released dimension: of live values).
     * A released dimension that is full first releases its values idle past the window, at most once a second:
     * the aggregate thread's sweep may not have run since (it runs as batches come). Called holding this
     * dictionary's lock, so that the room seen is the room there is.
     *
     * @param dimension  to grow.
     * @param newValues  distinct values to add to it.
     * @throws CardinalityLimitException if they would pass the dimension's limit.
     */
    void checkRoom(final Dimension dimension, final int newValues) {
        final Values v = values[dimension.ordinal()];
        if (v.live + newValues > v.limit || v.idsLeft() < newValues) {
            reclaim();
            final int nowS = IdleRelease.seconds(clock.time());
            final IdleRelease uses = lastUse;
            if (v.released && uses != null && nowS != sweptWhenFullS[v.dimension.ordinal()]
                && (v.live + newValues > v.limit || v.idsLeft() < newValues)) {
                sweptWhenFullS[v.dimension.ordinal()] = nowS;
                if (release(v, uses, nowS) > 0) {
                    quarantine();
                    reclaim();
                }
            }
        }
        if (v.live + newValues > v.limit || v.idsLeft() < newValues) {
            throw new CardinalityLimitException(dimension.field(), v.limit, limitMessage(v));
        }
    }

    private String limitMessage(final Values v) {
        final String how = howToRaise[v.dimension.ordinal()];
        final String raise = how != null ? "; " + how : "; raise it with StoreConfig.cardinalityLimit(Dimension."
            + v.dimension + ", n) or the server's --limit " + v.dimension.optionName() + "=N";
        if (v.released) {
            return "has " + v.limit + " live values, its cardinality limit (a value is live while it was used within"
                + " the last " + idleMs / 1000 + " s, StoreConfig.dictionaryIdleMs)" + raise;
        }
        return "has reached its cardinality limit of " + v.limit + " distinct values, kept for the store's life"
            + raise;
    }

    private static void setName(final Values v, final int id, final String name) {
        String[] table = v.names;
        if (id >= table.length) {
            table = Arrays.copyOf(table, (int)Math.min(v.idLimit + 1L, Math.max(id + 1L, table.length * 2L)));
            table[id] = name;
            v.names = table;
        } else {
            table[id] = name;
        }
    }

    private static void ensureGivenAt(final Values v, final int id) {
        if (id >= v.givenAtS.length) {
            final int old = v.givenAtS.length;
            v.givenAtS = grow(v.givenAtS, id, v.idLimit);
            Arrays.fill(v.givenAtS, old, v.givenAtS.length, -1);   // not given: neither live nor to release
        }
    }

    private static int[] grow(final int[] array, final int index, final int limit) {
        return Arrays.copyOf(array, (int)Math.min(limit + 1L, Math.max(index + 1L, array.length * 2L + 16)));
    }

    private static boolean isLive(final Values v, final int id) {
        final String name = v.names[id];
        if (name == null) {
            return false;
        }
        final Integer mapped = v.ids.get(name);
        return mapped != null && mapped == id;
    }

    /**
     * Releases the ids of released dimensions that have been idle past the window, then frees those released before
     * whose slots the ring has passed. Called by the aggregate thread (through {@link IdleRelease}); allocates
     * nothing.
     *
     * @param uses the aggregate thread's record of when each id was last used.
     * @param nowS the store's time, in {@link IdleRelease} seconds.
     * @return the number of ids released.
     */
    synchronized int releaseIdle(final IdleRelease uses, final int nowS) {
        reclaim();
        int released = 0;
        for (final Values v : values) {
            if (v.released) {
                released += release(v, uses, nowS);
            }
        }
        if (released > 0) {
            quarantine();
        }
        return released;
    }

    /**
     * Takes the idle ids of a released dimension out of the map and puts them in quarantine. Under the lock. The
     * stamps may be read here from a producer thread, racing the aggregate thread's plain writes: a stale stamp only
     * releases a value early, and its next use gives it an id anew.
     */
    private int release(final Values v, final IdleRelease uses, final int nowS) {
        final int idleBeforeS = nowS - (int)Math.min(Integer.MAX_VALUE, idleMs / 1000);
        final int[] givenAt = v.givenAtS;
        int released = 0;
        for (int id = 1; id <= v.highWater && id < givenAt.length; id++) {
            final int given = givenAt[id];
            if (given == -1 || Math.max(given, uses.lastUsedS(v.dimension, id)) >= idleBeforeS) {
                continue;
            }
            final Integer mapped = v.ids.get(v.names[id]);
            if (mapped != null && mapped == id) {
                v.ids.remove(v.names[id]);
            }
            givenAt[id] = -1;
            if (v.quarantined.length <= v.quarantinedCount) {
                v.quarantined = grow(v.quarantined, v.quarantinedCount, v.idLimit);
            }
            v.quarantined[v.quarantinedCount++] = id;
            v.live = v.live - 1;
            released++;
        }
        return released;
    }

    /**
     * Sets the sequence the ring must pass before the ids just released are free: the last one claimed, read after
     * their names left the map, so a producer that still found one claimed its slot before it. Under the lock.
     */
    private void quarantine() {
        final RingPosition position = ring;
        if (position == null) {
            free();
        } else {
            quarantineSequence = Math.max(quarantineSequence, position.claimedSequence());
        }
    }

    /** Frees the ids in quarantine if every consumer has passed the slots that could carry them. Under the lock. */
    private void reclaim() {
        final RingPosition position = ring;
        if (quarantineSequence >= 0 && (position == null || position.passedSequence() >= quarantineSequence)) {
            free();
            quarantineSequence = -1;
        }
    }

    private void free() {
        for (final Values v : values) {
            for (int i = 0; i < v.quarantinedCount; i++) {
                final int id = v.quarantined[i];
                if (snapshotInFlight) {
                    keepForSnapshot(v, id);
                }
                v.names[id] = null;
                if (v.free.length <= v.freeCount) {
                    v.free = grow(v.free, v.freeCount, v.idLimit);
                }
                v.free[v.freeCount++] = id;
            }
            v.quarantinedCount = 0;
        }
    }

    /**
     * Keeps the name of an id being freed while a snapshot is in flight, unless it keeps one already (the id was
     * freed since the capture, given to another value and freed again: the first name is the capture's). Under the
     * lock; allocates only to grow the arrays, up to the dimension's ids.
     */
    private static void keepForSnapshot(final Values v, final int id) {
        if (id >= v.namesAtCapture.length) {
            v.namesAtCapture = Arrays.copyOf(v.namesAtCapture,
                (int)Math.min(v.idLimit + 1L, Math.max(id + 1L, v.namesAtCapture.length * 2L + 16)));
        }
        if (v.namesAtCapture[id] == null) {
            v.namesAtCapture[id] = v.names[id];
            if (v.freedSinceCapture.length <= v.freedSinceCaptureCount) {
                v.freedSinceCapture = grow(v.freedSinceCapture, v.freedSinceCaptureCount, v.idLimit);
            }
            v.freedSinceCapture[v.freedSinceCaptureCount++] = id;
        }
    }

    /**
     * A snapshot has captured the aggregates and will {@link #write} this dictionary later: until
     * {@link #snapshotWritten}, an id freed keeps its name for it. Called by the aggregate thread as it captures;
     * waits only for a producer's new value (or its sweep of a full dimension) in progress, which is then wholly
     * before the capture.
     */
    public synchronized void captureForSnapshot() {
        snapshotInFlight = true;
    }

    /**
     * The snapshot captured since {@link #captureForSnapshot} is written (or given up): forgets the names kept for it.
     * Any thread.
     */
    public synchronized void snapshotWritten() {
        snapshotInFlight = false;
        for (final Values v : values) {
            for (int i = 0; i < v.freedSinceCaptureCount; i++) {
                v.namesAtCapture[v.freedSinceCapture[i]] = null;
            }
            v.freedSinceCaptureCount = 0;
        }
    }

    /**
     * Binds an id to a name, as a journal DICT record or a snapshot says, while the store recovers: a name bound
     * to the id before loses it (if it still maps to it), and the name maps to this id from now on.
     * {@link #settle} must follow once everything is bound.
     *
     * @param dimension of the value.
     * @param id        it has.
     * @param name      the value.
     * @return false, binding nothing, if the id is not within the dimension's ids (1 to its limit; to twice it for
     * a released dimension).
     */
    public synchronized boolean bind(final Dimension dimension, final int id, final String name) {
        final Values v = values[dimension.ordinal()];
        if (id <= 0 || id > v.idLimit || name == null) {
            return false;
        }
        final String old = id < v.names.length ? v.names[id] : null;
        if (old != null && !old.equals(name)) {
            final Integer mapped = v.ids.get(old);
            if (mapped != null && mapped == id) {
                v.ids.remove(old);
            }
        }
        setName(v, id, name);
        v.ids.put(name, id);
        v.highWater = Math.max(v.highWater, id);
        return true;
    }

    /**
     * Ends a recovery: an id whose name maps to it is live (a released one as if used now), any other is free.
     * Called once, on the recovering thread, before the ring starts.
     */
    public synchronized void settle() {
        final int nowS = IdleRelease.seconds(clock.time());
        for (final Values v : values) {
            v.freeCount = 0;
            v.quarantinedCount = 0;
            int live = 0;
            for (int id = 1; id <= v.highWater; id++) {
                if (isLive(v, id)) {
                    live++;
                    if (v.released) {
                        ensureGivenAt(v, id);
                        v.givenAtS[id] = nowS;
                    }
                } else {
                    v.names[id] = null;
                    if (v.free.length <= v.freeCount) {
                        v.free = grow(v.free, v.freeCount, v.idLimit);
                    }
                    v.free[v.freeCount++] = id;
                    if (id < v.givenAtS.length) {
                        v.givenAtS[id] = -1;
                    }
                }
            }
            v.live = live;
        }
        quarantineSequence = -1;
    }

    /**
     * Writes every id in use to a snapshot: per dimension their count, then each id, whether it is live (not
     * released) and its name as UTF-8 length and bytes (not {@code writeUTF}, whose 65,535 bytes a name of 21,846
     * three-byte characters already passes). Ids in quarantine are written too: a journal record after the
     * snapshot's position may still carry one. So is, as one in quarantine, an id freed since the snapshot's capture,
     * with the name it had then, whether or not it was given to another value since.
     * <pre>
     *  per dimension: count:4 (id:4 live:1 length:4 utf8)*
     * </pre>
     *
     * @param out to write to.
     * @throws IOException if the write fails.
     */
    public synchronized void write(final DataOutput out) throws IOException {
        for (final Values v : values) {
            int n = 0;
            for (int id = 1; id <= v.highWater; id++) {
                n += atCapture(v, id) != null || v.names[id] != null ? 1 : 0;
            }
            out.writeInt(n);
            for (int id = 1; id <= v.highWater; id++) {
                final String kept = atCapture(v, id);
                if (kept != null) {
                    out.writeInt(id);
                    out.writeBoolean(false);
                    writeName(out, kept);
                } else if (v.names[id] != null) {
                    out.writeInt(id);
                    out.writeBoolean(isLive(v, id));
                    writeName(out, v.names[id]);
                }
            }
        }
    }

    /** @return the name an id had at the capture of the snapshot in flight, if it was freed since; else null. */
    private static String atCapture(final Values v, final int id) {
        return id < v.namesAtCapture.length ? v.namesAtCapture[id] : null;
    }

    private static void writeName(final DataOutput out, final String name) throws IOException {
        final byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    /**
     * Reads entries written by {@link #write(DataOutput)} into this empty dictionary; {@link #settle} follows once
     * the journal after the snapshot is replayed.
     *
     * @param in         to read from.
     * @param dimensions how many dimensions the snapshot holds, the first ones by ordinal (a snapshot of version 3
     *                   or older holds {@link Dimension#SNAPSHOT_3_DIMENSIONS}).
     * @throws IOException if the read fails or the data is bad.
     */
    public synchronized void read(final DataInput in, final int dimensions) throws IOException {
        for (int d = 0; d < dimensions; d++) {
            final Values v = values[d];
            final int n = in.readInt();
            if (n < 0 || n > v.idLimit) {
                throw new IOException(v.dimension + " holds " + n + " ids, more than its " + v.idLimit);
            }
            for (int i = 0; i < n; i++) {
                final int id = in.readInt();
                final boolean live = in.readBoolean();
                final String name = readName(in, v, id);
                if (id <= 0 || id > v.idLimit) {
                    throw new IOException(v.dimension + " id " + id + " is beyond its ids, 1 to " + v.idLimit);
                }
                if (live) {
                    bind(v.dimension, id, name);
                } else {
                    setName(v, id, name);   // in quarantine: it decodes the records after the snapshot
                    v.highWater = Math.max(v.highWater, id);
                }
            }
        }
    }

    /**
     * Reads the dictionary of a version-2 snapshot (per dimension a count, then the names of ids 1..count) into
     * this empty dictionary.
     *
     * @param in to read from.
     * @throws IOException if the read fails or the data is bad.
     */
    public synchronized void readVersion2(final DataInput in) throws IOException {
        for (int d = 0; d < Dimension.SNAPSHOT_3_DIMENSIONS; d++) {
            final Values v = values[d];
            final int n = in.readInt();
            if (n < 0 || n > v.limit) {
                throw new IOException(v.dimension + " holds " + n + " values, over its limit " + v.limit);
            }
            for (int id = 1; id <= n; id++) {
                bind(v.dimension, id, readName(in, v, id));
            }
        }
    }

    private String readName(final DataInput in, final Values v, final int id) throws IOException {
        final int length = in.readInt();
        if (length < 0 || length > 3L * maxStringLength) {   // a UTF-16 char is at most 3 bytes of UTF-8
            throw new IOException(v.dimension + " name " + id + " of " + length + " bytes");
        }
        final byte[] utf8 = new byte[length];
        in.readFully(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
