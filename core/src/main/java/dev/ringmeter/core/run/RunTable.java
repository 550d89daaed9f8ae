package dev.ringmeter.core.run;

import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import dev.ringmeter.core.journal.SnapshotSection;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runs the store keeps in memory, by id: what the aggregate writer applies run commands and the events that
 * carry a created run's id to. An event whose run id names no run in the table changes nothing here (it counts
 * everywhere else as any event); a run counts the events applied after its creation, in the ring's (and so the
 * journal's) order, so a replay counts the same ones.
 * <p>
 * Run ids are strings: an event's run is a dictionary id of a released dimension, which may name another value
 * after the id was idle, so the table looks the run up by the id's name, which the dictionary keeps until every
 * consumer passed the slots that carry the id.
 * <p>
 * Bounds: at most {@code maxRuns} runs. A run created when the table is full pushes out the finished run created
 * first (its summary is dropped and counted in {@link #evicted()}; its events stay in the journal); with every run
 * still running the creation is refused before it enters the ring ({@link Runs}); one found full in a replay (the
 * limit lowered since) is counted in {@link #refused()}. Each run holds at most {@link RunState#widestBytes}.
 * <p>
 * Threading: the aggregate thread writes ({@link #add}, {@link #apply}) holding the aggregates' lock, or the thread
 * that recovers the store before the ring starts; readers ({@link Runs}) read under the same lock. The per-event
 * path allocates nothing (a run's first step, error type or quality name allocates once).
 */
public final class RunTable {
    /** The operation of an event that is a task of its run. */
    public static final String TASK_OPERATION = "task";

    private final Dictionary dictionary;
    private final int maxRuns;
    private final int maxTasks;
    private final int histogramDigits;
    private final Map<String, RunState> byId = new HashMap<>();
    private long nextSequence;
    private long evicted;
    private long refused;
    /** The dictionary's string of the operation "task" last seen, compared by reference first. */
    private String taskOperation;

    /**
     * @param dictionary      the store's.
     * @param maxRuns         runs kept in memory.
     * @param maxTasks        tasks tracked per run.
     * @param histogramDigits of the runs' latency histograms.
     */
    public RunTable(final Dictionary dictionary, final int maxRuns, final int maxTasks, final int histogramDigits) {
        this.dictionary = dictionary;
        this.maxRuns = maxRuns;
        this.maxTasks = maxTasks;
        this.histogramDigits = histogramDigits;
    }

    /**
     * Counts an event to its run, if it names one in the table. Writer only.
     *
     * @param e      an event, its cost stamped.
     * @param timeMs its time.
     */
    public void add(final EventSlot e, final long timeMs) {
        if (e.run == 0 || byId.isEmpty()) {
            return;
        }
        final RunState r = byId.get(dictionary.name(Dimension.RUN, e.run));
        if (r == null) {
            return;
        }
        final boolean task = e.operation != 0 && isTask(dictionary.name(Dimension.OPERATION, e.operation));
        r.add(e, timeMs, task, e.task == 0 ? null : dictionary.name(Dimension.TASK, e.task),
            e.step == 0 ? null : dictionary.name(Dimension.STEP, e.step));
    }

    private boolean isTask(final String operation) {
        if (operation == taskOperation) {
            return true;
        }
        if (TASK_OPERATION.equals(operation)) {
            taskOperation = operation;
            return true;
        }
        return false;
    }

    /**
     * Applies a command. Writer only. A command the run's state does not allow (a run created twice, an unknown
     * run, a finished run finished again) changes nothing: {@link Runs} refuses those before they enter the ring,
     * so only a replay meets them, and it must come to the same state.
     *
     * @param c the command.
     */
    public void apply(final RunCommand c) {
        final RunState existing = byId.get(c.runId());
        switch (c.op()) {
            case CREATE -> {
                if (existing != null) {
                    return;
                }
                if (byId.size() >= maxRuns && !evictOldestFinished()) {
                    refused++;
                    return;
                }
                final RunState r = new RunState(c.runId(), nextSequence++, maxTasks, histogramDigits);
                r.name = c.name();
                r.parameters = c.parameters() == null ? Map.of() : c.parameters();
                r.tags = c.tags() == null ? List.of() : c.tags();
                r.expectedTasks = c.expectedTasks();
                r.createdAtMs = c.timeMs();
                r.updatedAtMs = c.timeMs();
                byId.put(r.id, r);
            }
            case UPDATE -> {
                if (existing == null) {
                    return;
                }
                if (c.name() != null) {
                    existing.name = c.name();
                }
                if (c.tags() != null) {
                    existing.tags = c.tags();
                }
                if (c.expectedTasks() != RunCommand.NO_COUNT) {
                    existing.expectedTasks = c.expectedTasks();
                }
                if (c.parameters() != null && existing.status == RunStatus.RUNNING) {
                    final Map<String, Object> merged = new LinkedHashMap<>(existing.parameters);
                    merged.putAll(c.parameters());
                    existing.parameters = java.util.Collections.unmodifiableMap(merged);
                }
                existing.updatedAtMs = c.timeMs();
            }
            case FINISH -> {
                if (existing == null || existing.status.finished()) {
                    return;
                }
                existing.status = c.status();
                existing.reason = c.reason();
                existing.finishedAtMs = c.timeMs();
                existing.updatedAtMs = c.timeMs();
            }
            default -> throw new IllegalArgumentException("unknown run command " + c.op());
        }
    }

    private boolean evictOldestFinished() {
        RunState oldest = null;
        for (final RunState r : byId.values()) {
            if (r.status.finished() && (oldest == null || r.sequence < oldest.sequence)) {
                oldest = r;
            }
        }
        if (oldest == null) {
            return false;
        }
        byId.remove(oldest.id);
        evicted++;
        return true;
    }

    /** Under the lock: the run, or null. */
    RunState find(final String id) {
        return byId.get(id);
    }

    /** Under the lock: the runs, in no order. */
    List<RunState> all() {
        return new ArrayList<>(byId.values());
    }

    /** @return whether a new run has room: fewer than the limit, or a finished run to push out. Under the lock. */
    boolean hasRoom() {
        if (byId.size() < maxRuns) {
            return true;
        }
        for (final RunState r : byId.values()) {
            if (r.status.finished()) {
                return true;
            }
        }
        return false;
    }

    /** @return the runs kept in memory at most. */
    public int maxRuns() {
        return maxRuns;
    }

    /** @return runs in memory now; under the lock. */
    int size() {
        return byId.size();
    }

    /** @return finished runs pushed out of memory by newer ones since the store was created. */
    public long evicted() {
        return evicted;
    }

    /** @return creations found with no room in a replay (the limit lowered since they were made). */
    public long refused() {
        return refused;
    }

    /** @return an estimate of the heap the runs hold now, bytes; under the lock. */
    long bytes() {
        long b = 0;
        for (final RunState r : byId.values()) {
            b += r.bytes();
        }
        return b;
    }

    /**
     * @param maxRuns         runs kept in memory.
     * @param maxTasks        tasks tracked per run.
     * @param histogramDigits the store's.
     * @param maxStringLength the store's.
     * @return the most heap the table holds at its limits, bytes.
     */
    public static long widestBytes(final int maxRuns, final int maxTasks, final int histogramDigits,
                                   final int maxStringLength) {
        return 256 + maxRuns * (64 + RunState.widestBytes(maxTasks, histogramDigits, maxStringLength));
    }

    /**
     * Writes the table into an image for a snapshot: on the writer's thread, between two batches.
     *
     * @param image reused from snapshot to snapshot.
     */
    public void captureInto(final SnapshotSection image) {
        try {
            write(image.capture());
        } catch (final IOException e) {
            throw new UncheckedIOException(e);   // a byte array does not fail
        }
    }

    private void write(final DataOutput out) throws IOException {
        out.writeLong(nextSequence);
        out.writeLong(evicted);
        out.writeLong(refused);
        out.writeInt(byId.size());
        for (final RunState r : byId.values()) {
            r.write(out);
        }
    }

    /**
     * Reads the table of a snapshot into this empty one, before the ring starts.
     *
     * @param in at the snapshot's runs section.
     * @throws IOException if it is bad.
     */
    public void read(final DataInput in) throws IOException {
        nextSequence = in.readLong();
        evicted = in.readLong();
        refused = in.readLong();
        final int n = in.readInt();
        if (n < 0) {
            throw new IOException("a snapshot with " + n + " runs");
        }
        final List<RunState> runs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            runs.add(RunState.read(in, maxTasks, histogramDigits));
        }
        runs.sort(java.util.Comparator.comparingLong(r -> r.sequence));
        for (final RunState r : runs) {
            byId.put(r.id, r);
        }
        while (byId.size() > maxRuns && evictOldestFinished()) {
            // a limit lowered since the snapshot: the oldest finished runs go first, the running ones stay
        }
    }

    /**
     * Reads the run section {@link SnapshotSection#write} wrote.
     *
     * @param in the snapshot.
     * @throws IOException if it is bad.
     */
    public void readSection(final DataInput in) throws IOException {
read(SnapshotSection.read(in, "run"));
    }
}
