package dev.ringmeter.core;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.ringmeter.Event;
import dev.ringmeter.EventRecorder;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.MetricSample;
import dev.ringmeter.core.aggregate.AggregateHandler;
import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import dev.ringmeter.core.ingest.ParkingWaitStrategy;
import dev.ringmeter.core.journal.Journal;
import dev.ringmeter.core.journal.JournalHandler;
import dev.ringmeter.core.journal.Snapshot;
import org.agrona.concurrent.EpochClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The in-process Ringmeter store: {@link #record(Event)} copies an event into a pre-allocated slot of an LMAX
 * Disruptor ring; a consumer thread applies it to the per-model {@link Aggregates}, which answer windowed
 * analytics through {@link #aggregates()}.
 * <p>
 * With a data directory ({@link StoreConfig#dataDirectory(Path)}) the store is durable: a {@link JournalHandler}
 * writes every slot to a Chronicle Queue {@link Journal} before the aggregate handler applies it, and
 * {@link #flush} returns true only once everything recorded before it is journaled (acknowledged). At open, the
 * store loads its latest {@link Snapshot} and replays the journal after it; it writes a snapshot every
 * {@link StoreConfig#snapshotIntervalMs(long)} and at {@link #close()}.
 * <p>
 * Threading: {@link #record(Event)}, {@link #record(MetricSample)}, {@link #setPrice}, {@link #flush} and all
 * queries may be called from any number of threads at once. {@code record()} takes no lock and, once the
 * dictionary knows the event's strings, allocates nothing. When the ring is full it drops and counts the event
 * (policy DROP, the default) or waits for a free slot (policy BLOCK).
 */
public final class EmbeddedStore implements EventRecorder {
    private static final System.Logger LOG = System.getLogger(EmbeddedStore.class.getName());

    private final StoreConfig config;
    private final EpochClock clock;
    private final boolean dropWhenFull;
    private final Dictionary dictionary;
    private final Aggregates aggregates;
    private final Path dataDirectory;
    private final Journal journal;
    private final JournalHandler journalHandler;
    private final AggregateHandler aggregateHandler;
    private final Recovery recovery;
    private final Thread shutdownHook;
    private volatile long snapshotJournalIndex = -1;
    private volatile long snapshotWrittenAtMs;
    private final Disruptor<EventSlot> disruptor;
    private final RingBuffer<EventSlot> ring;
    private final List<Thread> consumerThreads = new CopyOnWriteArrayList<>();
    private Thread[] consumers = new Thread[0];
    private final long wakeMask;
    private final LongAdder dropped = new LongAdder();
    private final AtomicLong handlerErrors = new AtomicLong();
    private volatile boolean closed;

    private EmbeddedStore(final StoreConfig config) {
        this.config = config;
        this.clock = config.clock();
        this.dropWhenFull = config.fullRingPolicy() == StoreConfig.FullRingPolicy.DROP;
        this.dataDirectory = config.dataDirectory();
        final long startNs = System.nanoTime();
        if (dataDirectory != null) {
            try {
                Files.createDirectories(dataDirectory);
            } catch (final IOException e) {
                throw new UncheckedIOException("cannot create the data directory " + dataDirectory, e);
            }
            this.journal = new Journal(Journal.journalDirectory(dataDirectory), config);
            Dictionary d = newDictionary(config);
            Aggregates a = new Aggregates(config, d);
            Snapshot.Loaded loaded;
            try {
                loaded = Snapshot.load(dataDirectory, config, d, a);
            } catch (final IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "ignoring the snapshot in " + dataDirectory + " ("
                    + e.getMessage() + "); replaying the whole journal");
                d = newDictionary(config);
                a = new Aggregates(config, d);
                loaded = Snapshot.Loaded.NONE;
            }
            this.dictionary = d;
            this.aggregates = a;
            if (loaded.found() && loaded.journalIndex() > journal.lastIndex()) {
                LOG.log(System.Logger.Level.WARNING, "the snapshot is newer than the journal (journal files lost?); "
                    + "starting from the snapshot");
            }
            final Aggregates target = a;
            final long[] replayed = journal.replay(loaded.found() ? loaded.journalIndex() : -1,
                target::recover, d);
            this.snapshotJournalIndex = loaded.found() ? loaded.journalIndex() : -1;
            this.snapshotWrittenAtMs = loaded.writtenAtMs();
            this.recovery = new Recovery(loaded.found(), replayed[0], (System.nanoTime() - startNs) / 1_000_000);
            LOG.log(System.Logger.Level.INFO, "recovered " + dataDirectory + ": snapshot " + (loaded.found()
                ? "loaded" : "absent") + ", " + replayed[0] + " journal records replayed in "
                + recovery.millis() + " ms");
            journal.deleteExpiredCycles(snapshotJournalIndex);
            this.journalHandler = new JournalHandler(journal, dictionary, clock, aggregates.prices(),
                config.journalSync());
            this.aggregateHandler = new AggregateHandler(aggregates, null, clock, this::snapshotOnWriter,
                config.snapshotIntervalMs(), replayed[1]);
        } else {
            this.journal = null;
            this.journalHandler = null;
            this.dictionary = newDictionary(config);
            this.aggregates = new Aggregates(config, dictionary);
            this.aggregateHandler = new AggregateHandler(aggregates, aggregates.prices(), clock, null, Long.MAX_VALUE,
                -1);
            this.recovery = new Recovery(false, 0, 0);
        }
        final ThreadFactory threads = runnable -> {
            final Thread t = new Thread(runnable, consumerThreads.isEmpty() && journalHandler != null
                ? "ringmeter-journal" : "ringmeter-aggregator");
            t.setDaemon(true);
            consumerThreads.add(t);
            return t;
        };
        this.disruptor = new Disruptor<>(EventSlot::new, config.ringSize(), threads, ProducerType.MULTI,
            waitStrategy(config));
        disruptor.setDefaultExceptionHandler(new LoggingExceptionHandler());
        if (journalHandler != null) {
            disruptor.handleEventsWith(journalHandler).then(aggregateHandler);
        } else {
            disruptor.handleEventsWith(aggregateHandler);
        }
        this.ring = disruptor.start();
        this.consumers = consumerThreads.toArray(new Thread[0]);
        this.wakeMask = Math.max(1, config.ringSize() / 4) - 1;
        if (dataDirectory != null && config.shutdownHook()) {
            this.shutdownHook = new Thread(this::closeFromHook, "ringmeter-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        } else {
            this.shutdownHook = null;
        }
    }

    private static Dictionary newDictionary(final StoreConfig config) {
        return new Dictionary(config.cardinalityLimits(), config.maxStringLength());
    }

    /** Called by the aggregate handler, holding the lock, when a snapshot is due. */
    private void snapshotOnWriter(final long journalIndex) {
        writeSnapshot(journalIndex);
        journal.deleteExpiredCycles(snapshotJournalIndex);
    }

    private void writeSnapshot(final long journalIndex) {
        final long startNs = System.nanoTime();
        try {
            Snapshot.write(dataDirectory, config, dictionary, aggregates, journalIndex);
            snapshotJournalIndex = journalIndex;
            snapshotWrittenAtMs = System.currentTimeMillis();
            LOG.log(System.Logger.Level.DEBUG, "snapshot written in " + (System.nanoTime() - startNs) / 1_000_000
                + " ms at journal index " + Long.toHexString(journalIndex));
        } catch (final IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "could not write a snapshot to " + dataDirectory, e);
        }
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

    private static WaitStrategy waitStrategy(final StoreConfig config) {
        switch (config.waitStrategy()) {
            case BLOCKING:
                return new BlockingWaitStrategy();
            case YIELDING:
                return new YieldingWaitStrategy();
            case BUSY_SPIN:
                return new BusySpinWaitStrategy();
            default:
                return new ParkingWaitStrategy(config.parkNanos());
        }
    }

    @Override
    public boolean record(final Event event) {
        event.validate();
        if (event.timestampMs() != 0) {
            checkNotFuture(event.timestampMs());
        }
        final long sequence = claim();
        if (sequence < 0) {
            return false;
        }
        try {
            ring.get(sequence).fill(event, dictionary);
        } finally {
            publish(sequence);
        }
        return true;
    }

    /**
     * Publishes a slot; every quarter of the ring, also wakes the consumers, so that a consumer parked for a long
     * interval never lets the ring fill up.
     */
    private void publish(final long sequence) {
        ring.publish(sequence);
        if ((sequence & wakeMask) == 0) {
            wakeConsumers();
        }
    }

    @Override
    public boolean record(final MetricSample sample) {
        sample.validate();
        if (sample.timestampMs() != 0) {
            checkNotFuture(sample.timestampMs());
        }
        final long sequence = claim();
        if (sequence < 0) {
            return false;
        }
        try {
            ring.get(sequence).fill(sample, dictionary);
        } finally {
            publish(sequence);
        }
        return true;
    }

    /**
     * Sets the price of a model, applied to the events recorded after this call that carry no cost of their own.
     * Waits for a ring slot whatever the full-ring policy.
     *
     * @param model                name.
     * @param inputUsdPerMillion   USD per million prompt tokens, finite and &gt;= 0.
     * @param outputUsdPerMillion  USD per million completion tokens, finite and &gt;= 0.
     * @throws InvalidEventException naming the bad argument.
     */
    public void setPrice(final String model, final double inputUsdPerMillion, final double outputUsdPerMillion) {
        if (model == null || model.isEmpty()) {
            throw new InvalidEventException("model", "is required");
        }
        checkPrice("inputUsdPerMillion", inputUsdPerMillion);
        checkPrice("outputUsdPerMillion", outputUsdPerMillion);
        ensureOpen();
        final int id = dictionary.id(Dimension.MODEL, model);
        final long sequence = claimWaiting();
        final EventSlot slot = ring.get(sequence);
        slot.kind = EventSlot.KIND_PRICE;
        slot.timestampMs = clock.time();
        slot.model = id;
        slot.priceInputUsdPerMillion = inputUsdPerMillion;
        slot.priceOutputUsdPerMillion = outputUsdPerMillion;
        publish(sequence);
    }

    private static void checkPrice(final String field, final double price) {
        if (!(price >= 0) || Double.isInfinite(price)) {
            throw new InvalidEventException(field, "must be a finite number >= 0 but was " + price);
        }
    }

    private void checkNotFuture(final long timestampMs) {
        final long limit = clock.time() + config.maxFutureSkewMs();
        if (timestampMs > limit) {
            throw new InvalidEventException("timestamp",
                "is " + (timestampMs - limit + config.maxFutureSkewMs()) + " ms in the future; at most "
                    + config.maxFutureSkewMs() + " ms is accepted");
        }
    }

    private long claim() {
        ensureOpen();
        if (dropWhenFull) {
            try {
                return ring.tryNext();
            } catch (final InsufficientCapacityException e) {
                dropped.increment();
                wakeConsumers();   // a parked consumer drains the ring now, not at the end of its park
                return -1;
            }
        }
        return claimWaiting();
    }

    /**
     * Claims a slot, waiting while the ring is full. Unlike {@code RingBuffer.next()}, it wakes the consumers
     * while it waits, so a full ring never waits for a parked consumer's interval to end.
     */
    private long claimWaiting() {
        while (true) {
            try {
                return ring.tryNext();
            } catch (final InsufficientCapacityException e) {
                wakeConsumers();
                LockSupport.parkNanos(10_000);
                ensureOpen();
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("store is closed");
        }
        if (journalHandler != null && journalHandler.failure() != null) {
            throw new IllegalStateException("the journal failed; events are refused: "
                + journalHandler.failure().getMessage(), journalHandler.failure());
        }
    }

    @Override
    public boolean flush(final long timeout, final TimeUnit unit) throws InterruptedException {
        final long target = ring.getCursor();
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        int rounds = 0;
        while (ring.getMinimumGatingSequence() < target) {
            if (journalHandler != null && journalHandler.failure() != null) {
                return false;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            if ((rounds++ & 7) == 0) {
                wakeConsumers();
            }
            if (rounds < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(20_000);
            }
        }
        return journalHandler == null || journalHandler.failure() == null;
    }

    private void wakeConsumers() {
        for (final Thread t : consumers) {
            LockSupport.unpark(t);
        }
    }

    /**
     * @return the dictionary of the store's strings.
     */
    public Dictionary dictionary() {
        return dictionary;
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
        final long cursor = ring.getCursor();
        final long[] counters = aggregates.counters();
        return new StoreStats(cursor + 1, dropped.sum(), counters[0], counters[1], counters[2],
            ring.getBufferSize(), cursor - ring.getMinimumGatingSequence(),
            dictionary.size(Dimension.MODEL), aggregates.footprintBytes(), journal == null ? 0 : journal.diskBytes(),
            snapshotWrittenAtMs);
    }

    /**
     * @return events and samples dropped because the ring was full.
     */
    public long dropped() {
        return dropped.sum();
    }

    /**
     * Stops accepting events, applies every event already in the ring, stops the consumers and, for a durable
     * store, writes a snapshot and closes the journal. Idempotent.
     */
    @Override
    public void close() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (final IllegalStateException e) {
                // the JVM is already shutting down: the hook is running or has run
            }
        }
        shutdown();
    }

    private void closeFromHook() {
        shutdown();
    }

    private synchronized void shutdown() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            // Disruptor's own shutdown ignores consumers whose threads have not started yet: drain first.
            if (!flush(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "closing with events not journaled or applied");
            }
            disruptor.shutdown(10, TimeUnit.SECONDS);
        } catch (final TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "ring did not drain within 10 s; halting");
            disruptor.halt();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            disruptor.halt();
        }
        if (journal != null) {
            if (journalHandler.failure() == null) {
                aggregates.lock();   // the consumers have stopped; the lock makes their last writes visible here
                try {
                    writeSnapshot(aggregateHandler.lastJournalIndex());
                } finally {
                    aggregates.unlock();
                }
            }
            journal.close();
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
        return snapshotJournalIndex;
    }

    /**
     * @return when the latest snapshot was written, epoch ms, 0 if none.
     */
    public long snapshotWrittenAtMs() {
        return snapshotWrittenAtMs;
    }

    /**
     * @return the failure that stopped the journal, or null.
     */
    public Throwable journalFailure() {
        return journalHandler == null ? null : journalHandler.failure();
    }

    private final class LoggingExceptionHandler implements ExceptionHandler<EventSlot> {
        @Override
        public void handleEventException(final Throwable ex, final long sequence, final EventSlot event) {
            if (handlerErrors.getAndIncrement() < 100) {
                LOG.log(System.Logger.Level.ERROR, "failed to apply event at sequence " + sequence, ex);
            }
        }

        @Override
        public void handleOnStartException(final Throwable ex) {
            LOG.log(System.Logger.Level.ERROR, "store consumer failed to start", ex);
        }

        @Override
        public void handleOnShutdownException(final Throwable ex) {
            LOG.log(System.Logger.Level.ERROR, "store consumer failed to shut down", ex);
        }
    }
}
