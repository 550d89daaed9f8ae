package dev.ringmeter.core.aggregate;

import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import dev.ringmeter.core.query.Subject;
import org.agrona.concurrent.EpochClock;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.locks.Lock;

/**
 * The aggregates of the subjects that are not models: per pipeline, per pipeline step (a pipeline and step pair,
 * {@link Dictionary#stepPair}), per tool and per agent, one {@link TimeTiers} and one {@link ModelTotals}, created on
 * first use, indexed by the pinned dictionary id of the pipeline, tool or agent, or by the pipeline step's id. An
 * event counts in every one it names, whether or not it names a model; these tiers hand their closed seconds to no
 * other tiers, so "all models" keeps meaning the model calls. They keep no recent events (those stay per model).
 * <p>
 * What one subject holds at most is what a model's tiers and totals hold, without its recent events
 * ({@link #widestSubjectBytes}); the store's heap budget counts it for each value the limits of pipeline, step, tool
 * and agent allow.
 * <p>
 * Threading: not thread-safe; written by the aggregate writer, read under the aggregates' lock (the arrays of
 * tiers, by reference only, without it: {@link #ids}). The writer makes a snapshot's image with {@link #captureInto}.
 */
final class SubjectTiers {
    /** The kinds kept here: every kind but the model, in the order of {@link Subject.Kind}. */
    static final Subject.Kind[] KINDS = {Subject.Kind.PIPELINE, Subject.Kind.STEP, Subject.Kind.TOOL,
        Subject.Kind.AGENT};
    private static final int MAX_ID = 10_000_000;

    private final long[] tierWidthsMs;
    private final int[] tierBuckets;
    private final EpochClock clock;
    private final long maxFutureSkewMs;
    private final CopyOnWrite cow;
    private final Dictionary dictionary;
    /** By kind ordinal, then id; null where a subject has no event. */
    final TimeTiers[][] tiers = new TimeTiers[Subject.Kind.VALUES.length][];
    /** Beside {@link #tiers}. */
    final ModelTotals[][] totals = new ModelTotals[Subject.Kind.VALUES.length][];

    /**
     * @param config     the store's configuration.
     * @param dictionary the store's, which gives the pipeline steps their ids.
     * @param cow        the writer's copy-on-write state, or null for a snapshot's image.
     */
    SubjectTiers(final StoreConfig config, final Dictionary dictionary, final CopyOnWrite cow) {
        this.tierWidthsMs = config.tierWidthsMs();
        this.tierBuckets = config.tierBuckets();
        this.clock = config.clock();
        this.maxFutureSkewMs = config.maxFutureSkewMs();
        this.cow = cow;
        this.dictionary = dictionary;
        for (final Subject.Kind k : KINDS) {
            tiers[k.ordinal()] = new TimeTiers[16];
            totals[k.ordinal()] = new ModelTotals[16];
        }
    }

    /**
     * Adds an event to the tiers and totals of each subject it names but its model. Writer only; allocates nothing
     * in steady state (a new subject allocates its state once).
     *
     * @param e      the event, its cost stamped.
     * @param timeMs its time.
     * @return the outcome ({@link TimeTiers#IN_ORDER} ...) in the first subject it names, or -1 if it names none.
     */
    int add(final EventSlot e, final long timeMs) {
        int outcome = -1;
        if (e.pipeline != 0) {
            outcome = add(Subject.Kind.PIPELINE, e.pipeline, e, timeMs, outcome);
        }
        if (e.step != 0) {
            int pair = dictionary.findStepPair(e.pipeline, e.step);
            if (pair == 0) {
                pair = dictionary.recoverStepPair(e.pipeline, e.step);   // replay: no producer admitted it
            }
            if (pair != 0) {
                outcome = add(Subject.Kind.STEP, pair, e, timeMs, outcome);
            }
        }
        if (e.tool != 0) {
            outcome = add(Subject.Kind.TOOL, e.tool, e, timeMs, outcome);
        }
        if (e.agent != 0) {
            outcome = add(Subject.Kind.AGENT, e.agent, e, timeMs, outcome);
        }
        return outcome;
    }

    /**
     * Changes the cost counted for an event already added (a recompute's cost change) in the tiers of each subject
     * it names that has tiers ({@link TimeTiers#changeCost}); the totals, like the models', keep the cost recorded.
     *
     * @param e      the change: the event's ids, the cost difference and the priced count's.
     * @param timeMs the event's time.
     */
    void changeCost(final EventSlot e, final long timeMs) {
        changeCost(Subject.Kind.PIPELINE, e.pipeline, e, timeMs);
        changeCost(Subject.Kind.STEP, e.step == 0 ? 0 : dictionary.findStepPair(e.pipeline, e.step), e, timeMs);
        changeCost(Subject.Kind.TOOL, e.tool, e, timeMs);
        changeCost(Subject.Kind.AGENT, e.agent, e, timeMs);
    }

    private void changeCost(final Subject.Kind kind, final int id, final EventSlot e, final long timeMs) {
        final TimeTiers[] byId = tiers[kind.ordinal()];
        if (id > 0 && id < byId.length && byId[id] != null) {
            byId[id].changeCost(e.costUsd, e.costCountDelta, timeMs);
        }
    }

    private int add(final Subject.Kind kind, final int id, final EventSlot e, final long timeMs, final int outcome) {
        final int o = tiers(kind, id).add(e, timeMs);
        totals[kind.ordinal()][id].add(e);
        return outcome < 0 ? o : outcome;
    }

    /**
     * @return the subject's tiers, created (with its totals) on first use.
     */
    TimeTiers tiers(final Subject.Kind kind, final int id) {
        final int k = kind.ordinal();
        if (id >= tiers[k].length) {
            final int n = Math.max(id + 1, tiers[k].length * 2);
            tiers[k] = Arrays.copyOf(tiers[k], n);
            totals[k] = Arrays.copyOf(totals[k], n);
        }
        TimeTiers t = tiers[k][id];
        if (t == null) {
            t = new TimeTiers(tierWidthsMs, tierBuckets, null, clock, maxFutureSkewMs, cow);
            tiers[k][id] = t;
            totals[k][id] = new ModelTotals();
        }
        return t;
    }

    /**
     * Under the aggregates' lock.
     *
     * @return the subject's tiers, or null if it has none.
     */
    TimeTiers find(final Subject.Kind kind, final int id) {
        final TimeTiers[] byId = tiers[kind.ordinal()];
        return id > 0 && id < byId.length ? byId[id] : null;
    }

    /**
     * Any thread, no lock.
     *
     * @param subject a subject other than a model.
     * @return its id: of its pipeline, tool or agent, or of its pipeline step; 0 if the store never saw it.
     */
    int id(final Subject subject) {
        final Subject.Kind kind = subject.kind();
        if (kind != Subject.Kind.STEP) {
            return dictionary.find(kind.dimension(), subject.name());
        }
        final int step = dictionary.find(Dimension.STEP, subject.name());
        final int pipeline = subject.pipeline() == null ? 0 : dictionary.find(Dimension.PIPELINE, subject.pipeline());
        return step == 0 || pipeline == 0 && subject.pipeline() != null ? 0 : dictionary.findStepPair(pipeline, step);
    }

    /**
     * @param kind a kind other than the model.
     * @param id   of a subject of that kind.
     * @return the subject.
     */
    Subject subject(final Subject.Kind kind, final int id) {
        if (kind != Subject.Kind.STEP) {
            return Subject.of(kind, null, dictionary.name(kind.dimension(), id));
        }
        final long key = dictionary.stepPairKey(id);
        return Subject.step(dictionary.name(Dimension.PIPELINE, (int)(key >>> 32)),
            dictionary.name(Dimension.STEP, (int)key));
    }

    /**
     * Reads the writer's arrays without the lock, references only (see {@code WindowQueries#names}).
     *
     * @param kind a kind other than the model.
     * @return the subjects of that kind that have events, in the order they were first seen.
     */
    List<Subject> subjects(final Subject.Kind kind) {
        final List<Subject> out = new ArrayList<>();
        final TimeTiers[] byId = tiers[kind.ordinal()];
        for (int id = 1; id < byId.length; id++) {
            if (byId[id] != null) {
                out.add(subject(kind, id));
            }
        }
        return out;
    }

    /**
     * Copies the totals of every subject of a kind, each under the lock on its own (as {@link CumulativeTotals#copy}).
     *
     * @param kind a kind other than the model.
     * @param lock the aggregates' lock.
     * @return by subject, in the order of their labels.
     */
    SortedMap<Subject, CallTotals> copyTotals(final Subject.Kind kind, final Lock lock) {
        final SortedMap<Subject, CallTotals> copy = new TreeMap<>((a, b) -> a.label().compareTo(b.label()));
        final ModelTotals scratch = new ModelTotals();
        final int k = kind.ordinal();
        for (int id = 1; ; id++) {
            lock.lock();
            try {
                if (id >= totals[k].length) {
                    break;
                }
                if (totals[k][id] == null) {
                    continue;
                }
                totals[k][id].copyInto(scratch);
            } finally {
                lock.unlock();
            }
            copy.put(subject(kind, id), scratch.copy(dictionary));
        }
        return copy;
    }

    /**
     * Makes a snapshot's image: tiers shared (frozen), totals copied. Writer only.
     *
     * @param image of the same configuration, owned by the snapshot.
     */
    void captureInto(final SubjectTiers image) {
        for (final Subject.Kind kind : KINDS) {
            final int k = kind.ordinal();
            for (int id = 1; id < Math.max(tiers[k].length, image.tiers[k].length); id++) {
                if (id < tiers[k].length && tiers[k][id] != null) {
                    tiers[k][id].captureInto(image.tiers(kind, id));
                    totals[k][id].copyInto(image.totals[k][id]);
                } else if (id < image.tiers[k].length) {
                    image.tiers[k][id] = null;
                    image.totals[k][id] = null;
                }
            }
        }
    }

    /**
     * The snapshot layout, from snapshot version 5 (a step is written as its pipeline and step ids, so its pipeline
     * step's id is given anew when it is read):
     * <pre>
     *  per kind (pipeline, step, tool, agent): count:4 (id:4 | pipelineId:4 stepId:4) tiers totals)*
     *  (tiers): see AggregatesCodec; (totals): one model's totals, see AggregatesCodec
     * </pre>
     */
    void write(final DataOutput out) throws IOException {
        for (final Subject.Kind kind : KINDS) {
            final int k = kind.ordinal();
            int n = 0;
            for (final TimeTiers t : tiers[k]) {
                n += t != null ? 1 : 0;
            }
            out.writeInt(n);
            for (int id = 1; id < tiers[k].length; id++) {
                if (tiers[k][id] == null) {
                    continue;
                }
                if (kind == Subject.Kind.STEP) {
                    final long key = dictionary.stepPairKey(id);
                    out.writeInt((int)(key >>> 32));
                    out.writeInt((int)key);
                } else {
                    out.writeInt(id);
                }
                tiers[k][id].write(out);
                AggregatesCodec.writeModelTotals(out, totals[k][id]);
            }
        }
    }

    /**
     * Reads what {@link #write} wrote into this new, empty instance, the dictionary already read.
     *
     * @param snapshot the snapshot's version, 5 or later.
     */
    void read(final DataInput in, final int snapshot) throws IOException {
        for (final Subject.Kind kind : KINDS) {
            final int n = in.readInt();
            if (n < 0 || n > MAX_ID) {
                throw new IOException("bad " + kind.field() + " subject count " + n);
            }
            for (int i = 0; i < n; i++) {
                int id = readId(in, kind);
                if (kind == Subject.Kind.STEP) {
                    final int step = readId(in, kind);
                    id = step == 0 ? 0 : dictionary.recoverStepPair(id, step);
                    if (id == 0) {
                        throw new IOException("a pipeline step of step id " + step + " that the step limit has no room"
                            + " for");
                    }
                } else if (id == 0) {
                    throw new IOException("bad " + kind.field() + " id 0");
                }
                tiers(kind, id).read(in, snapshot);
                AggregatesCodec.readModelTotals(in, totals[kind.ordinal()][id], snapshot);
            }
        }
    }

    private static int readId(final DataInput in, final Subject.Kind kind) throws IOException {
        final int id = in.readInt();
        if (id < 0 || id > MAX_ID) {
            throw new IOException("bad " + kind.field() + " id " + id);
        }
        return id;
    }

    /**
     * @param lock the aggregates' lock, taken for one subject at a time.
     * @return an estimate of the heap held by every subject's tiers and totals, bytes.
     */
    long footprintBytes(final Lock lock) {
        long bytes = 0;
        for (final Subject.Kind kind : KINDS) {
            final int k = kind.ordinal();
            for (int id = 0; ; id++) {
                lock.lock();
                try {
                    if (id >= tiers[k].length) {
                        bytes += 2 * (16 + tiers[k].length * 4L);
                        break;
                    }
                    if (tiers[k][id] != null) {
                        bytes += tiers[k][id].footprintBytes() + totals[k][id].footprintBytes();
                    }
                } finally {
                    lock.unlock();
                }
            }
        }
        return bytes;
    }

    /**
     * @param config       the store's configuration.
     * @param qualityNames the number of quality score names allowed.
     * @return the most heap one subject holds: its tiers with every bucket in use at its widest, its totals and the
     * snapshot image's copy of them, and its slots in the arrays (which at most double).
     */
    static long widestSubjectBytes(final StoreConfig config, final int qualityNames) {
        return TierRegistry.widestTiersBytes(config, qualityNames, true) + 2 * ModelTotals.widestBytes(qualityNames)
            + 2 * 2 * 4;
    }
}
