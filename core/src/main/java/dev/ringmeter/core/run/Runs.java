package dev.ringmeter.core.run;

import dev.ringmeter.core.decide.Comparison;
import dev.ringmeter.core.decide.Direction;
import dev.ringmeter.core.decide.Significance;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import org.agrona.concurrent.EpochClock;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.Lock;

/**
 * The store's runs, for callers: create, update and finish a run, read one, list them, put them side by side
 * (embedded: {@code store.runs()}; the server's run routes call the same methods).
 * <p>
 * A command is checked here ({@link RunRules}, then against the run's state: an unknown run, a finished run
 * finished again, an id taken, no room), put into the ring as one slot (journaled as a RUN record before it is
 * applied, like a price change) and waited for: a method returns once the command is journaled and applied, so
 * acknowledged means journaled, and the summary it returns includes it. Events recorded after the method returns
 * count to the run; those applied before its creation do not.
 * <p>
 * Threading: any number of threads. Commands are serialised on this object (a check and its command are one step,
 * so two finishes of one run cannot both pass); reads take the aggregates' lock for one run at a time (a list: each
 * run in turn, then sorts the copies outside it).
 */
public final class Runs {
    /** How long a command waits to be journaled and applied. */
    static final long APPLY_TIMEOUT_MS = 10_000;

    /** Puts a command into the store's ring and waits for it: the store's side. */
    public interface Ring {
        /**
         * @param command to publish.
         * @return false if the ring stayed full for the store's block timeout (nothing was published).
         */
        boolean publish(RunCommand command);

        /**
         * @param timeoutMs the longest wait.
         * @return whether everything published before is journaled and applied.
         * @throws InterruptedException if interrupted.
         */
        boolean flush(long timeoutMs) throws InterruptedException;
    }

    private final RunTable table;
    private final Lock lock;
    private final Dictionary dictionary;
    private final EpochClock clock;
    private final int maxIdChars;
    private final Ring ring;
    private final dev.ringmeter.core.privacy.Anonymizer privacy;

    /**
     * @param table      the runs in memory, written by the aggregate thread.
     * @param lock       the aggregates' lock, which the writer holds while it applies.
     * @param dictionary names error types and quality scores.
     * @param clock      the store's.
     * @param maxIdChars the store's longest string.
     * @param ring       where commands go.
     */
    public Runs(final RunTable table, final Lock lock, final Dictionary dictionary, final EpochClock clock,
                final int maxIdChars, final Ring ring) {
        this(table, lock, dictionary, clock, maxIdChars, ring, dev.ringmeter.core.privacy.Anonymizer.NONE);
    }

    /**
     * @param table      the runs in memory, written by the aggregate thread.
     * @param lock       the aggregates' lock, which the writer holds while it applies.
     * @param dictionary names error types and quality scores.
     * @param clock      the store's.
     * @param maxIdChars the store's longest string.
     * @param ring       where commands go.
     * @param privacy    hashes run ids and redacts names and reasons as it does events' (docs/privacy.md): a run is
     *                   kept, listed and found by the same value its events carry; a method given a run's raw id or
     *                   its hash finds it.
     */
    public Runs(final RunTable table, final Lock lock, final Dictionary dictionary, final EpochClock clock,
                final int maxIdChars, final Ring ring, final dev.ringmeter.core.privacy.Anonymizer privacy) {
        this.privacy = privacy;
        this.table = table;
        this.lock = lock;
        this.dictionary = dictionary;
        this.clock = clock;
        this.maxIdChars = maxIdChars;
        this.ring = ring;
    }

    /**
     * Creates a run.
     *
     * @param id            its id, or null for a generated one (a random UUID).
     * @param name          its name, or null for the id.
     * @param parameters    its configuration (values Long, Integer, Double, Float, String or Boolean), or null.
     * @param tags          its tags, or null.
     * @param expectedTasks the tasks it expects, or {@link RunCommand#NO_COUNT}.
     * @return its summary, just created.
     * @throws RunException invalid (a value breaks a rule) or conflict (the id is taken; the store holds its limit
     *                      of runs, every one still running).
     */
    public synchronized RunSummary create(final String id, final String name, final Map<String, ?> parameters,
                                          final List<String> tags, final long expectedTasks) {
        final String rawId = id == null ? UUID.randomUUID().toString() : id;
        RunRules.checkId(rawId, maxIdChars);
        final String runId = key(rawId);
        final String shownName = privacy.freeText(name);
        final Map<String, Object> typed = typed(parameters);
        RunRules.check(name, typed, tags, expectedTasks);
        lock.lock();
        try {
            if (table.find(runId) != null) {
                throw RunException.conflict("id", "a run with the id '" + runId + "' exists");
            }
            if (!table.hasRoom()) {
                throw RunException.conflict("id", "the store keeps " + table.maxRuns() + " runs in memory and "
                    + "every one is still running: finish one, or raise maxRuns (--max-runs)");
            }
        } finally {
            lock.unlock();
        }
        send(new RunCommand(RunCommand.Op.CREATE, runId, clock.time(), shownName == null ? runId : shownName,
            typed == null ? Map.of() : typed, tags == null ? List.of() : tags, expectedTasks, null, null));
        return get(runId);
    }

    /**
     * Updates a run: each argument that is not null (or {@link RunCommand#NO_COUNT}) replaces the run's; parameters
     * are merged over the run's, and only while it runs.
     *
     * @return its summary, updated.
     * @throws RunException not found, invalid, or conflict (parameters of a finished run).
     */
    public synchronized RunSummary update(final String rawId, final String name, final Map<String, ?> parameters,
                                          final List<String> tags, final long expectedTasks) {
        final Map<String, Object> typed = typed(parameters);
        RunRules.check(name, typed, tags, expectedTasks);
        final String id = key(rawId);
        final RunStatus status = status(id);
        if (typed != null && status.finished()) {
            throw RunException.conflict("parameters", "the run is " + status.wireName() + ": its parameters are "
                + "fixed once it finished");
        }
        send(new RunCommand(RunCommand.Op.UPDATE, id, clock.time(), privacy.freeText(name), typed, tags, expectedTasks, null, null));
        return get(id);
    }

    /**
     * Finishes a running run.
     *
     * @param id     the run's id.
     * @param status completed, failed or cancelled.
     * @param reason why, or null.
     * @return its summary, finished.
     * @throws RunException not found, invalid (status, reason) or conflict (finished already).
     */
    public synchronized RunSummary finish(final String rawId, final RunStatus status, final String reason) {
        RunRules.checkFinish(status, reason);
        final String id = key(rawId);
        final RunStatus now = status(id);
        if (now.finished()) {
            throw RunException.conflict("status", "the run is " + now.wireName() + " already");
        }
        send(new RunCommand(RunCommand.Op.FINISH, id, clock.time(), null, null, null, RunCommand.NO_COUNT, status,
            privacy.freeText(reason)));
        return get(id);
    }

    /**
     * Marks every run still running as interrupted: the store calls it once when it opens on a data directory,
     * since the process that recorded those runs is gone. Journaled like any finish, so the runs stay interrupted.
     *
     * @return the runs interrupted.
     */
    public synchronized int interruptRunning() {
        final List<String> running = new ArrayList<>();
        lock.lock();
        try {
            for (final RunState r : table.all()) {
                if (r.status == RunStatus.RUNNING) {
                    running.add(r.id);
                }
            }
        } finally {
            lock.unlock();
        }
        for (final String id : running) {
            send(new RunCommand(RunCommand.Op.FINISH, id, clock.time(), null, null, null, RunCommand.NO_COUNT,
                RunStatus.INTERRUPTED, "the store was opened again while the run was running"));
        }
        return running.size();
    }

    private RunStatus status(final String id) {
        lock.lock();
        try {
            final RunState r = table.find(id);
            if (r == null) {
                throw RunException.notFound(id);
            }
            return r.status;
        } finally {
            lock.unlock();
        }
    }

    private void send(final RunCommand command) {
        if (!ring.publish(command)) {
            throw new IllegalStateException("the ring stayed full: the run command was not recorded; try again");
        }
        try {
            if (!ring.flush(APPLY_TIMEOUT_MS)) {
                throw new IllegalStateException("the run command was not journaled within " + APPLY_TIMEOUT_MS
                    + " ms (is the journal failing?)");
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the run command was journaled", e);
        }
    }

    private static Map<String, Object> typed(final Map<String, ?> parameters) {
        if (parameters == null) {
            return null;
        }
        final Map<String, Object> typed = new LinkedHashMap<>();
        for (final Map.Entry<String, ?> p : parameters.entrySet()) {
            Object v = p.getValue();
            if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
                v = ((Number)v).longValue();
            } else if (v instanceof Float) {
                v = ((Float)v).doubleValue();
            }
            typed.put(p.getKey(), v);
        }
        return typed;
    }

    /**
     * @param id a run's id.
     * @return its summary now.
     * @throws RunException not found.
     */
    public RunSummary get(final String rawId) {
        final String id = key(rawId);
        final long now = clock.time();
        lock.lock();
        try {
            final RunState r = table.find(id);
            if (r == null) {
                throw RunException.notFound(id);
            }
            return summary(r, now, true);
        } finally {
            lock.unlock();
        }
    }

    private RunSummary summary(final RunState r, final long now, final boolean histogram) {
        return r.summary(now, type -> dictionary.name(Dimension.ERROR_TYPE, type),
            q -> dictionary.name(Dimension.QUALITY_NAME, q), histogram);
    }

    /**
     * @param query filters, sort and page.
     * @return the page.
     */
    public RunPage list(final RunQuery query) {
        final long now = clock.time();
        final List<RunState> runs;
        final long evicted;
        lock.lock();
        try {
            runs = table.all();
            evicted = table.evicted();
        } finally {
            lock.unlock();
        }
        final List<RunSummary> matching = new ArrayList<>();
        for (final RunState r : runs) {
            lock.lock();
            try {
                if (table.find(r.id) == r && query.matches(r)) {
                    matching.add(summary(r, now, false));
                }
            } finally {
                lock.unlock();
            }
        }
        matching.sort(query.sort().order(query.descending()));
        final int from = Math.min(query.offset(), matching.size());
        final int to = (int)Math.min((long)from + query.limit(), matching.size());
        return new RunPage(List.copyOf(matching.subList(from, to)), matching.size(), from,
            to < matching.size() ? to : -1, evicted);
    }

    /**
     * Puts runs side by side against the first.
     *
     * @param ids 2 to 10 distinct run ids, the first the baseline.
     * @return their summaries and verdicts.
     * @throws RunException invalid ({@code ids}: too few, too many, repeated) or not found.
     */
    public RunComparison compare(final List<String> ids) {
        if (ids == null || ids.size() < RunComparison.MIN_RUNS || ids.size() > RunComparison.MAX_RUNS) {
            throw RunException.invalid("ids", RunComparison.MIN_RUNS + " to " + RunComparison.MAX_RUNS
                + " run ids, got " + (ids == null ? 0 : ids.size()));
        }
        if (new LinkedHashSet<>(ids).size() != ids.size()) {
            throw RunException.invalid("ids", "a run id is given twice");
        }
        final List<RunSummary> runs = new ArrayList<>();
        for (final String id : ids) {
            runs.add(get(id));
        }
        final RunSummary a = runs.get(0);
        final Map<String, Map<String, Comparison>> verdicts = new LinkedHashMap<>();
        for (final RunSummary b : runs.subList(1, runs.size())) {
            verdicts.put(b.id(), verdicts(a, b));
        }
        return new RunComparison(List.copyOf(runs), verdicts);
    }

    /**
     * @param a the baseline.
     * @param b the run compared with it.
     * @return b against a on P95 latency (ms), error rate (events not ok / events), success rate (tasks that
     * succeeded / tasks done) and the mean of each quality score both have.
     */
    static Map<String, Comparison> verdicts(final RunSummary a, final RunSummary b) {
        final Map<String, Comparison> v = new LinkedHashMap<>();
        v.put("latencyP95Ms", Significance.percentile(a.latencyHistogramUs(), b.latencyHistogramUs(), 95,
            Direction.LOWER_IS_BETTER).scaled(1e-3));
        v.put("errorRate", Significance.rate(a.events() - a.byStatus().get("ok"), a.events(),
            b.events() - b.byStatus().get("ok"), b.events(), Direction.LOWER_IS_BETTER));
        v.put("successRate", Significance.rate(a.tasks().succeeded(), a.tasks().done(), b.tasks().succeeded(),
            b.tasks().done(), Direction.HIGHER_IS_BETTER));
        for (final Map.Entry<String, RunSummary.Quality> qa : a.quality().entrySet()) {
            final RunSummary.Quality qb = b.quality().get(qa.getKey());
            if (qb != null) {
                final RunSummary.Quality q = qa.getValue();
                v.put("quality." + qa.getKey(), Significance.mean(q.count(), q.mean(), q.stdDev() * q.stdDev(),
                    qb.count(), qb.mean(), qb.stdDev() * qb.stdDev(), Direction.HIGHER_IS_BETTER));
            }
        }
        return v;
    }

    /**
     * @param id a run's id as a caller gives it: raw, or its hash.
     * @return the id as the store keeps it.
     * @throws RunException invalid if the store drops run ids.
     */
    private String key(final String id) {
        final String k = privacy.lookupKey(dev.ringmeter.core.dictionary.Dimension.RUN, id);
        if (k == null && id != null) {
            throw RunException.invalid("id", "the store drops run ids (anonymization drop:run): it keeps no runs");
        }
        return k;
    }

    /** @return finished runs pushed out of memory by newer ones since the store was created. */
    public long evicted() {
        lock.lock();
        try {
            return table.evicted();
        } finally {
            lock.unlock();
        }
    }

    /** @return runs in memory now. */
    public int size() {
        lock.lock();
        try {
            return table.size();
        } finally {
            lock.unlock();
        }
    }

    /** @return the runs kept in memory at most. */
    public int maxRuns() {
        return table.maxRuns();
    }

    /** @return an estimate of the heap the runs hold now, bytes. */
    public long footprintBytes() {
        lock.lock();
        try {
            return table.bytes();
        } finally {
            lock.unlock();
        }
    }
}
