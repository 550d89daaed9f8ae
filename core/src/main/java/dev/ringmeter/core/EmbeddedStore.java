package dev.ringmeter.core;

import dev.ringmeter.Event;
import dev.ringmeter.EventRecorder;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.MetricSample;
import dev.ringmeter.core.aggregate.AggregateHandler;
import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.cost.CostRecompute;
import dev.ringmeter.core.cost.PriceBook;
import dev.ringmeter.core.cost.PriceChange;
import dev.ringmeter.core.cost.PriceEntry;
import dev.ringmeter.core.cost.PriceEntryRules;
import dev.ringmeter.core.cost.RecomputeRequest;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventRules;
import dev.ringmeter.core.ingest.EventSlot;
import dev.ringmeter.core.ingest.PriceRules;
import dev.ringmeter.core.ingest.RingConsumers;
import dev.ringmeter.core.ingest.RingPublisher;
import dev.ringmeter.core.ingest.WaitStrategies;
import dev.ringmeter.core.journal.DataDirectoryLock;
import dev.ringmeter.core.journal.Journal;
import dev.ringmeter.core.journal.JournalHandler;
import dev.ringmeter.core.journal.RecomputeScan;
import dev.ringmeter.core.journal.Snapshot;
import dev.ringmeter.core.journal.SnapshotWriter;
import dev.ringmeter.core.journal.StoreRecovery;
import dev.ringmeter.core.run.RunCommand;
import dev.ringmeter.core.run.Runs;
import dev.ringmeter.core.watch.Anomaly;
import dev.ringmeter.core.watch.AnomalyLog;
import dev.ringmeter.core.watch.AnomalyView;
import dev.ringmeter.core.watch.AnomalyWatch;
import dev.ringmeter.core.watch.SystemSampler;
import dev.ringmeter.core.watch.alert.AlertCodec;
import dev.ringmeter.core.watch.alert.AlertCommand;
import dev.ringmeter.core.watch.alert.AlertEvaluator;
import dev.ringmeter.core.watch.alert.Alerts;
import dev.ringmeter.core.watch.alert.NoticeSink;
import org.agrona.concurrent.EpochClock;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The in-process Ringmeter store: {@link #record(Event)} copies an event into a pre-allocated slot of an LMAX
 * Disruptor ring; a consumer thread applies it to the per-model {@link Aggregates}, which answer windowed
 * analytics through {@link #aggregates()}.
 * <p>
 * With a data directory ({@link StoreConfig#dataDirectory(Path)}) the store is durable, and the only store on that
 * directory (a {@link DataDirectoryLock} held from open to close; a second one is refused): a {@link JournalHandler}
 * writes every slot to a Chronicle Queue {@link Journal} before the aggregate handler applies it, and
 * {@link #flush} returns true only once everything recorded before it is journaled (acknowledged). At open, the
 * store loads its latest {@link Snapshot} and replays the journal after it; it writes a snapshot every
 * {@link StoreConfig#snapshotIntervalMs(long)} and at {@link #close()}.
 * <p>
 * The store wires its parts and answers for them: {@link StoreRecovery} gives the state it starts from,
 * {@link RingConsumers} runs the ring's handlers on their threads, {@link RingPublisher} claims, publishes and
 * flushes for the producers, {@link SnapshotWriter} writes the snapshots, and a shutdown hook closes a durable
 * store when the JVM stops (unless {@link StoreConfig#shutdownHook(boolean)} is false). {@link #alerts()} holds the
 * alert rules, journaled through the ring like runs, and an {@link AlertEvaluator} thread evaluates them every
 * {@link StoreConfig#alertEvaluationIntervalMs(long)}.
 * <p>
 * Threading: {@link #record(Event)}, {@link #record(MetricSample)}, {@link #setPrice}, {@link #flush} and all
 * queries may be called from any number of threads at once. {@code record()} takes no lock and, once the
 * dictionary knows the event's strings, allocates nothing. When the ring is full it drops and counts the event
 * (policy DROP, the default) or waits for a free slot (policy BLOCK) for at most
 * {@link StoreConfig#blockTimeoutMs(long)}, then drops and counts it. Every part is held in a final field, so
 * a store handed to another thread is seen whole; the publisher is built after the consumer threads started and
 * keeps them in a final array, so every producer wakes all of them. {@link #close()} may be called from any thread
 * and more than once: the first call closes, the others wait for it and return.
 */
public final class EmbeddedStore implements EventRecorder {
    private static final System.Logger LOG = System.getLogger(EmbeddedStore.class.getName());
    /** How long {@link #close()} waits for the ring to drain, then for the consumers to stop, seconds. */
    private static final long CLOSE_TIMEOUT_S = 10;

    private final StoreConfig config;
    private final EpochClock clock;
    private final EventRules rules;
    private final Dictionary dictionary;
    private final dev.ringmeter.core.privacy.Anonymizer privacy;
    private final Aggregates aggregates;
    private final Path dataDirectory;
    private final DataDirectoryLock directoryLock;
    private final Journal journal;
    private final JournalHandler journalHandler;
    private final AggregateHandler aggregateHandler;
    private final SnapshotWriter snapshots;
    private final Recovery recovery;
    private final RingConsumers consumers;
    private final RingPublisher publisher;
    private final ShutdownHook shutdownHook;
    /** Null when {@link StoreConfig#systemSampleIntervalMs()} is 0. */
    private final SystemSampler systemSampler;
    /** One recompute at a time. */
    private final Object recomputeLock = new Object();
    private final Runs runs;
    /** Null when {@link StoreConfig#anomalyDetection()} is false. */
    private final AnomalyWatch anomalyWatch;
    private final Alerts alerts;
    private final AlertEvaluator alertEvaluator;
    /** Made by {@link StoreConfig#noticeSink}; null for none. Closed after the evaluator, if it is closeable. */
    private final NoticeSink noticeSink;

    private EmbeddedStore(final StoreConfig config) {
        this.config = config;
        this.clock = config.clock();
        this.rules = new EventRules(config);
        this.dataDirectory = config.dataDirectory();
        final HeapBudget budget = config.heapBudget();
        LOG.log(budget.exceeded() ? System.Logger.Level.WARNING : System.Logger.Level.INFO, budget.toString());
        this.directoryLock = dataDirectory == null ? null : DataDirectoryLock.acquire(dataDirectory);
        final StoreRecovery.Recovered start;
        try {
            start = dataDirectory == null ? StoreRecovery.empty(config) : StoreRecovery.recover(dataDirectory, config);
        } catch (final RuntimeException | Error e) {
            if (directoryLock != null) {
                directoryLock.close();
            }
            throw e;
        }
        this.journal = start.journal();
        this.dictionary = start.dictionary();
        this.privacy = config.anonymizer();
        this.aggregates = start.aggregates();
        this.recovery = start.recovery();
        if (journal != null) {
            this.snapshots = new SnapshotWriter(dataDirectory, config, journal, dictionary, aggregates,
                start.snapshotJournalIndex(), start.snapshotWrittenAtMs());
            this.journalHandler = new JournalHandler(journal, dictionary, clock, aggregates.prices(),
                config.journalSync(), config.sampling());
            this.aggregateHandler = new AggregateHandler(aggregates, null, clock, snapshots,
                config.snapshotIntervalMs(), start.journalIndex());
        } else {
            this.snapshots = null;
            this.journalHandler = null;
            this.aggregateHandler = new AggregateHandler(aggregates, aggregates.prices(), clock, null, Long.MAX_VALUE,
                -1);
        }
        this.consumers = new RingConsumers(config.ringSize(),
            WaitStrategies.of(config.waitStrategy(), config.parkNanos()), journalHandler, aggregateHandler);
        this.publisher = new RingPublisher(consumers, config.fullRingPolicy(), config.blockTimeoutMs(),
            journalHandler == null ? () -> null : journalHandler::failure);
        dictionary.trackRing(new Dictionary.RingPosition() {
            @Override
            public long claimedSequence() {
                return publisher.cursor();
            }

            @Override
            public long passedSequence() {
                return publisher.consumedSequence();
            }
        });
        this.runs = new Runs(aggregates.runs(), aggregates.writerLock(), dictionary, clock, config.maxStringLength(),
            new Runs.Ring() {
                @Override
                public boolean publish(final RunCommand command) {
                    return publishRunCommand(command);
                }

                @Override
                public boolean flush(final long timeoutMs) throws InterruptedException {
                    return publisher.flush(timeoutMs, TimeUnit.MILLISECONDS);
                }
            }, privacy);
        if (journal != null) {
            runs.interruptRunning();   // their process is gone; journaled, so they stay interrupted
        }
        final Alerts.Ring alertRing = new Alerts.Ring() {
            @Override
            public boolean publish(final AlertCommand command) {
                return publishAlertCommand(command);
            }

            @Override
            public boolean flush(final long timeoutMs) throws InterruptedException {
                return publisher.flush(timeoutMs, TimeUnit.MILLISECONDS);
            }

            @Override
            public long timeMs() {
                return clock.time();
            }
        };
        this.alerts = new Alerts(aggregates.alerts(), alertRing, clock);
        this.alertEvaluator = new AlertEvaluator(aggregates, aggregates.alerts(), alertRing,
            config.alertEvaluationIntervalMs());
        alertEvaluator.anomalyView(aggregates.anomalies());
        this.noticeSink = config.noticeSink() == null ? null : config.noticeSink().apply(alerts);
        alertEvaluator.sink(noticeSink);
        alertEvaluator.start();
        this.shutdownHook = journal != null && config.shutdownHook() ? ShutdownHook.register(this::shutdown) : null;
        this.systemSampler = config.systemSampleIntervalMs() == 0 ? null : new SystemSampler(this, this::stats,
            dataDirectory, config.systemSampleIntervalMs(), config.gpuCommand(), clock);
        if (systemSampler != null) {
            systemSampler.start();
        }
        this.anomalyWatch = config.anomalyDetection() ? new AnomalyWatch(aggregates, this::publishAnomaly, clock,
            config.anomalyLatenessMs(), config.anomalyIntervalMs()) : null;
        if (anomalyWatch != null) {
            anomalyWatch.start();
        }
    }

    /** Puts an anomaly's start or end into the ring, waiting for a slot as {@link #setPrice} does. */
    private boolean publishAnomaly(final Anomaly anomaly) {
        if (anomaly.subject().kind() != dev.ringmeter.core.query.Subject.Kind.MODEL
            || anomaly.metric().length() > AnomalyWatch.MAX_METRIC_KEY_CHARS) {
            throw new IllegalArgumentException("the journal's block size holds anomalies of a model's metric only: "
                + anomaly);
        }
        publisher.ensureOpen();
        return publishCommand(EventSlot.KIND_ANOMALY, clock.time(), slot -> slot.anomaly = anomaly);
    }

    /**
     * @return the sink alert notices go to ({@link StoreConfig#noticeSink}), or null for none.
     */
    public NoticeSink noticeSink() {
        return noticeSink;
    }

    /**
     * @return the anomaly watch, or null when {@link StoreConfig#anomalyDetection()} is false.
     */
    public AnomalyWatch anomalyWatch() {
        return anomalyWatch;
    }

    /**
     * @return the anomaly under way on each subject's metric, as journaled (what anomaly alert rules read); empty
     *     while the watch is off. Any thread.
     */
    public AnomalyView anomalyView() {
        return aggregates.anomalies();
    }

    /**
     * @param query of a model, a metric, a time range, open only; at most its limit.
     * @return the anomalies kept (journaled) that match, newest first. Any thread.
     */
    public java.util.List<Anomaly> anomalies(final AnomalyLog.Query query) {
        return aggregates.anomalies().list(query);
    }

    /**
     * @return the system sampler, or null when {@link StoreConfig#systemSampleIntervalMs()} is 0.
     */
    public SystemSampler systemSampler() {
        return systemSampler;
    }

    /** Puts a run command into the ring, waiting for a slot as {@link #setPrice} does. */
    private boolean publishRunCommand(final RunCommand command) {
        publisher.ensureOpen();
        return publishCommand(EventSlot.KIND_RUN, command.timeMs(), slot -> slot.runCommand = command);
    }

    /** Puts an alert command into the ring, encoded once here for the journal. */
    private boolean publishAlertCommand(final AlertCommand command) {
        publisher.ensureOpen();
        final byte[] bytes = AlertCodec.encode(command);
        return publishCommand(EventSlot.KIND_ALERT, command.timeMs(), slot -> {
            slot.alertCommand = command;
            slot.alertBytes = bytes;
        });
    }

    /**
     * @return the store's alert rules, silences, alerts and their history (docs/alerts.md).
     */
    public Alerts alerts() {
        return alerts;
    }

    /**
     * @return the alert evaluator: {@link AlertEvaluator#tick} evaluates the rules now; its anomaly view and sink.
     */
    public AlertEvaluator alertEvaluator() {
        return alertEvaluator;
    }

    /**
     * Puts one command (a run command, a price change, a recompute or its end) into the ring, waiting for a slot:
     * commands are rare, and their callers wait for them to be applied anyway.
     *
     * @param kind   of the slot.
     * @param timeMs its time.
     * @param fill   sets the command's own field of the slot.
     * @return false if no slot came free in time.
     */
    private boolean publishCommand(final byte kind, final long timeMs, final java.util.function.Consumer<EventSlot> fill) {
        final long sequence = publisher.claimWaiting();
        if (sequence < 0) {
            return false;
        }
        final EventSlot slot = publisher.slot(sequence);
        slot.kind = kind;
        slot.timestampMs = timeMs;
        fill.accept(slot);
        publisher.publish(sequence);
        return true;
    }

    /**
     * @return the store's runs: create, update, finish, read, list and compare them (docs/runs.md).
     */
    public Runs runs() {
        return runs;
    }

    /**
     * How the store started.
     *
     * @param snapshotLoaded   whether a snapshot was loaded.
     * @param replayedRecords  journal records replayed after it.
     * @param millis           time from open to ready.
     */
    public record Recovery(boolean snapshotLoaded, long replayedRecords, long millis) {
    }

    /**
     * @return how the store recovered its state at open.
     */
    public Recovery recovery() {
        return recovery;
    }

    /**
     * Opens a store.
     *
     * @param config options; validated here.
     * @return the running store.
     * @throws IllegalArgumentException naming a bad option.
     */
    public static EmbeddedStore open(final StoreConfig config) {
        return new EmbeddedStore(config.conclude());
    }

    /**
     * @return a store with every default.
     */
    public static EmbeddedStore open() {
        return open(new StoreConfig());
    }

    /**
     * Records one event: checks it, claims a ring slot, copies the event into it and publishes it.
     *
     * @param event to record; copied.
     * @return true if the event is in the ring; false if the ring was full, at once under the DROP policy or for
     * {@link StoreConfig#blockTimeoutMs(long)} under BLOCK (a consumer stalled that long). A false is counted in
     * {@link #dropped()} and {@link StoreStats#dropped()}, and nothing of the event is kept: record it again
     * later, or count it lost.
     * @throws InvalidEventException naming the field, if the event breaks a rule; nothing is recorded then.
     * @throws IllegalStateException if the store is closed or its journal failed.
     */
    @Override
    public boolean record(final Event event) {
        rules.check(event);
        final long sequence = publisher.claim();
        if (sequence < 0) {
            return false;
        }
        try {
            publisher.slot(sequence).fill(event, dictionary, privacy);
        } finally {
            publisher.publish(sequence);
        }
        return true;
    }

    /**
     * Records the first n events of an array as {@link #record(Event)} records each, claiming ring slots for up to a
     * quarter of the ring at once (one claim on the ring, one publish, for all of them). Every event is checked
     * before any is claimed, so a bad one records none of them.
     *
     * @param events the events; each copied.
     * @param n      how many, from the first.
     * @return how many, from the first, are in the ring: n, or fewer if the ring had no room for the next group of
     * them, at once under DROP or for {@link StoreConfig#blockTimeoutMs(long)} under BLOCK; then one drop is counted
     * in {@link #dropped()}, the first event not recorded, as {@link #record(Event)} one after another would count
     * it and stop, and nothing after the events returned is kept.
     * @throws InvalidEventException naming the field, if an event breaks a rule; nothing is recorded then.
     * @throws IllegalStateException if the store is closed or its journal failed.
     */
    public int recordAll(final Event[] events, final int n) {
        for (int i = 0; i < n; i++) {
            rules.check(events[i]);
        }
        final int most = publisher.maxClaim();
        int recorded = 0;
        while (recorded < n) {
            final int size = Math.min(most, n - recorded);
            final long last = publisher.claim(size);
            if (last < 0) {
                return recorded;
            }
            final long first = last - size + 1;
            long next = first;
            try {
                for (; next <= last; next++) {
                    publisher.slot(next).fill(events[recorded + (int)(next - first)], dictionary, privacy);
                }
            } finally {
                for (long left = next + 1; left <= last; left++) {   // after a failed fill: slots the consumers skip
                    publisher.slot(left).kind = EventSlot.KIND_VOID;
                }
                publisher.publish(first, last);
            }
            recorded += size;
        }
        return recorded;
    }

    /**
     * Records one custom metric sample; the same outcomes as {@link #record(Event)}.
     *
     * @param sample to record; copied.
     * @return true if the sample is in the ring; false if the ring stayed full (counted).
     * @throws InvalidEventException naming the field, if the sample breaks a rule.
     * @throws IllegalStateException if the store is closed or its journal failed.
     */
    @Override
    public boolean record(final MetricSample sample) {
        rules.check(sample);
        final long sequence = publisher.claim();
        if (sequence < 0) {
            return false;
        }
        try {
            publisher.slot(sequence).fill(sample, dictionary, privacy);
        } finally {
            publisher.publish(sequence);
        }
        return true;
    }

    /**
     * Sets the price of a model, applied to the events recorded after this call that carry no cost of their own.
     * Waits for a ring slot whatever the full-ring policy, for at most {@link StoreConfig#blockTimeoutMs(long)}.
     *
     * @param model                name.
     * @param inputUsdPerMillion   USD per million prompt tokens, finite and &gt;= 0.
     * @param outputUsdPerMillion  USD per million completion tokens, finite and &gt;= 0.
     * @return true if the change is in the ring; false if the ring stayed full for the block timeout (the price
     * is unchanged).
     * @throws InvalidEventException naming the bad argument.
     * @throws IllegalStateException if the store is closed or its journal failed.
     */
    public boolean setPrice(final String model, final double inputUsdPerMillion, final double outputUsdPerMillion) {
        PriceRules.check(model, inputUsdPerMillion, outputUsdPerMillion);
        publisher.ensureOpen();
        dictionary.id(Dimension.MODEL, model);   // the model is known from its price on, as before price entries
        return publishPriceChange(PriceChange.upsert(PriceBook.legacy(model, 0, inputUsdPerMillion,
            outputUsdPerMillion)));
    }

    /**
     * Adds a price entry, applied to the events recorded after this call that carry no cost of their own and whose
     * time is at or after its effective-from (events already recorded keep their cost until a
     * {@link #recomputeCosts recompute}). Waits for a ring slot as {@link #setPrice} does, then for the change to
     * be journaled.
     *
     * @param entry     the entry (its id and revision are decided by the store).
     * @param timeoutMs how long to wait for the change to be applied.
     * @return the change, with its id and revision; null if the ring stayed full or the wait passed the timeout.
     * @throws InvalidEventException naming the field of the entry that breaks a rule.
     * @throws IllegalArgumentException if the store refused it (the price book is full).
     * @throws IllegalStateException if the store is closed or its journal failed.
     * @throws InterruptedException if interrupted while waiting.
     */
    public PriceChange putPriceEntry(final PriceEntry entry, final long timeoutMs) throws InterruptedException {
        PriceEntryRules.check(entry.match(), entry.pattern(), entry.effectiveFromMs(), entry.base(), entry.tiers());
        return applyPriceChange(PriceChange.put(entry), timeoutMs);
    }

    /**
     * Removes a user's price entry, as {@link #putPriceEntry} adds one.
     *
     * @param id        of the entry.
     * @param timeoutMs how long to wait for the change to be applied.
     * @return the change; null if the ring stayed full or the wait passed the timeout.
     * @throws IllegalArgumentException if no user entry has that id.
     * @throws IllegalStateException if the store is closed or its journal failed.
     * @throws InterruptedException if interrupted while waiting.
     */
    public PriceChange removePriceEntry(final long id, final long timeoutMs) throws InterruptedException {
        return applyPriceChange(PriceChange.remove(id), timeoutMs);
    }

    private PriceChange applyPriceChange(final PriceChange change, final long timeoutMs)
        throws InterruptedException {
        publisher.ensureOpen();
        if (!publishPriceChange(change) || !flush(timeoutMs, TimeUnit.MILLISECONDS) || !change.decided()) {
            return null;
        }
        if (change.refusal() != null) {
            throw new IllegalArgumentException(change.refusal());
        }
        return change;
    }

    private boolean publishPriceChange(final PriceChange change) {
        return publishCommand(EventSlot.KIND_PRICE_ENTRY, clock.time(), slot -> slot.priceChange = change);
    }

    /**
     * @return the store's prices: the user's entries, the built-in list, resolution by model and time. Any thread.
     */
    public PriceBook prices() {
        return aggregates.prices();
    }

    /**
     * Recomputes the cost of the journaled events of a time range with the price entries as they stand now
     * ({@link CostRecompute}): journaled first (a RECOMPUTE record with the range and the price book's revision),
     * then the events the journal holds before it are read and every change of the cost counted in the windows is
     * sent through the ring. Idempotent: a second recompute of the same range with no price change between changes
     * nothing. One recompute at a time (a second call waits for the first).
     *
     * @param fromMs    range start, inclusive, epoch ms.
     * @param toMs      range end, exclusive.
     * @param timeoutMs how long each wait for the ring may take.
     * @return what it did.
     * @throws IllegalStateException if the store keeps no journal (in memory), is closed, or the ring stayed full.
     * @throws InterruptedException if interrupted while waiting.
     */
    public CostRecompute.Report recomputeCosts(final long fromMs, final long toMs, final long timeoutMs)
        throws InterruptedException {
        if (journal == null) {
            throw new IllegalStateException("a recompute reads the events from the journal, and a store without a"
                + " data directory keeps none: its events keep the cost they were recorded with");
        }
        if (fromMs < 0 || toMs <= fromMs) {
            throw new IllegalArgumentException("the range [" + fromMs + ", " + toMs + ") is empty or negative");
        }
        synchronized (recomputeLock) {
            if (aggregates.prices().recomputes().size() >= PriceBook.MAX_RECOMPUTES) {
                throw new IllegalStateException("the store holds " + PriceBook.MAX_RECOMPUTES + " recomputes, its "
                    + "limit; no more can be made");
            }
            publisher.ensureOpen();
            final RecomputeRequest request = new RecomputeRequest(fromMs, toMs);
            if (!publishCommand(EventSlot.KIND_RECOMPUTE, clock.time(), slot -> slot.recompute = request)) {
                throw new IllegalStateException("the ring stayed full; the recompute was not started");
            }
            try {
                if (!flush(timeoutMs, TimeUnit.MILLISECONDS) || request.journalIndex() < 0) {
                    throw new IllegalStateException("the recompute was not journaled within " + timeoutMs + " ms");
                }
                return CostRecompute.run(aggregates.prices(), request, (from, to, before, visitor) ->
                    RecomputeScan.scan(journal, config, dictionary, from, to, before, visitor::onEvent),
                    this::sendCostChange);
            } finally {
                // the end of its changes
                if (publishCommand(EventSlot.KIND_COST_CHANGE, clock.time(), slot -> slot.recompute = request)) {
                    flush(timeoutMs, TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    private void sendCostChange(final EventSlot event, final double deltaUsd, final int costCountDelta) {
        final long sequence = publisher.claimWaiting();
        if (sequence < 0) {
            throw new IllegalStateException("the ring stayed full during a recompute; the store replays it whole "
                + "from the journal at its next open");
        }
        final EventSlot slot = publisher.slot(sequence);
        try {
            slot.fillCostChange(event, deltaUsd, costCountDelta);
        } finally {
            publisher.publish(sequence);
        }
    }

    @Override
    public boolean flush(final long timeout, final TimeUnit unit) throws InterruptedException {
        return publisher.flush(timeout, unit);
    }

    /**
     * @return the dictionary of the store's strings.
     */
    public Dictionary dictionary() {
        return dictionary;
    }

    /**
     * Streams the journaled events of a time range that match a filter to an output, as CSV, a JSON array or
     * NDJSON, ending with a trailer that states what it holds (see {@link dev.ringmeter.core.export.EventExport}).
     *
     * @param request what to export.
     * @param out     where to write it; left open.
     * @return what the trailer states: the rows, whether complete, the cursor to resume from.
     * @throws java.io.IOException   if the output fails.
     * @throws IllegalStateException if the store has no data directory.
     */
    public dev.ringmeter.core.export.ExportSummary export(final dev.ringmeter.core.export.ExportRequest request,
                                                         final java.io.OutputStream out) throws java.io.IOException {
        return dev.ringmeter.core.export.EventExport.write(this, request, out, () -> false);
    }

    /**
     * Streams training data (JSONL, versioned schema, in batches with cursors) of the journaled events of a time
     * range (see {@link dev.ringmeter.core.export.TrainingExport}).
     *
     * @param request what to export.
     * @param out     where to write it; left open.
     * @return what the trailer states.
     * @throws java.io.IOException   if the output fails.
     * @throws IllegalStateException if the store has no data directory.
     */
    public dev.ringmeter.core.export.ExportSummary exportTraining(
        final dev.ringmeter.core.export.TrainingRequest request, final java.io.OutputStream out)
        throws java.io.IOException {
        return dev.ringmeter.core.export.TrainingExport.write(this, request, out, () -> false);
    }

    /**
     * @return a new comparison of groups of events, answered from memory or by a journal scan (see {@link Compare}).
     */
    public Compare compare() {
        return new Compare(this);
    }

    /**
     * @param request a time range or a run.
     * @return the report of it, to render with {@link dev.ringmeter.core.report.ReportFormat} (see
     *         {@link dev.ringmeter.core.report.Reports}).
     * @throws IllegalArgumentException naming the field at fault.
     */
    public dev.ringmeter.core.report.Report report(final dev.ringmeter.core.report.ReportRequest request) {
        return dev.ringmeter.core.report.Reports.build(this, request);
    }

    /**
     * @return the aggregates, which answer windowed analytics, series and recent events.
     */
    public Aggregates aggregates() {
        return aggregates;
    }

    /**
     * @return the configuration the store runs with.
     */
    public StoreConfig config() {
        return config;
    }

    /**
     * @return a snapshot of the store's counters.
     */
    public StoreStats stats() {
        final long cursor = publisher.cursor();
        final long[] counters = aggregates.counters();
        final long[] paths = aggregates.pathCounts();
        return new StoreStats(cursor + 1, publisher.dropped(), counters[0], counters[1], counters[2],
            publisher.capacity(), cursor - publisher.consumedSequence(),
            dictionary.size(Dimension.MODEL), aggregates.footprintBytes(), journal == null ? 0 : journal.diskBytes(),
            snapshotWrittenAtMs(), paths[0], paths[1], snapshots == null ? 0 : snapshots.skipped(),
            snapshots == null ? 0 : snapshots.lastCaptureNanos(),
            journalHandler == null ? 0 : journalHandler.sampledOut());
    }

    /**
     * @return events and samples dropped because the ring was full: at once (DROP) or after the block timeout
     * (BLOCK).
     */
    public long dropped() {
        return publisher.dropped();
    }

    /**
     * Stops accepting events, applies every event already in the ring, stops the consumers and, for a durable
     * store, writes a snapshot and closes the journal. Idempotent.
     */
    @Override
    public void close() {
        if (shutdownHook != null) {
            shutdownHook.remove();
        }
        shutdown();
    }

    /** Closes the store; what {@link #close()} does once the hook is removed, and what the hook runs. */
    private synchronized void shutdown() {
        if (publisher.isClosed()) {
            return;
        }
        if (systemSampler != null) {
            systemSampler.close();   // its last samples go into the ring before it closes
        }
        if (anomalyWatch != null) {
            anomalyWatch.close();   // before the ring closes: a tick under way puts its records in
        }
        alertEvaluator.close();   // its last transitions go into the ring before it closes
        if (noticeSink instanceof AutoCloseable) {
            try {
                ((AutoCloseable)noticeSink).close();   // its outcomes go into the ring before it closes
            } catch (final Exception e) {
                LOG.log(System.Logger.Level.WARNING, "the notice sink failed to close", e);
            }
        }
        publisher.close();
        try {
            // Disruptor's own shutdown ignores consumers whose threads have not started yet: drain first.
            if (!publisher.flush(CLOSE_TIMEOUT_S, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "closing with events not journaled or applied");
            }
            if (journalHandler != null) {
                journalHandler.abandonOnFailure();   // a journal that cannot write stops retrying, so the ring drains
            }
            consumers.stop(CLOSE_TIMEOUT_S);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            consumers.halt();
        }
        if (journal != null) {
            if (journalHandler.abandoned() > 0) {
                LOG.log(System.Logger.Level.WARNING, "closed with " + journalHandler.abandoned() + " events the "
                    + "journal could not write; none of them was acknowledged");
            }
            if (journalHandler.failure() == null) {
                snapshots.snapshotAtClose(aggregateHandler);
            }
            journal.close();
            directoryLock.close();
            LOG.log(System.Logger.Level.INFO, "closed " + dataDirectory);
        }
    }

    /**
     * @return the journal, or null for a store without a data directory.
     */
    public Journal journal() {
        return journal;
    }

    /**
     * @return the index of the journal document the latest snapshot includes, -1 if none.
     */
    public long snapshotJournalIndex() {
        return snapshots == null ? -1 : snapshots.journalIndex();
    }

    /**
     * @return when the latest snapshot was written, epoch ms, 0 if none.
     */
    public long snapshotWrittenAtMs() {
        return snapshots == null ? 0 : snapshots.writtenAtMs();
    }

    /**
     * @return the failure that keeps the journal from writing now (its message says why), or null while it writes.
     * Writes are retried: it clears by itself once the journal can write again (e.g. the disk has room).
     */
    public Throwable journalFailure() {
        return journalHandler == null ? null : journalHandler.failure();
    }
}
