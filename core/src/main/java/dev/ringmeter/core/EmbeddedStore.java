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
import org.agrona.concurrent.EpochClock;

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
    private final Disruptor<EventSlot> disruptor;
    private final RingBuffer<EventSlot> ring;
    private final List<Thread> consumerThreads = new CopyOnWriteArrayList<>();
    private final LongAdder dropped = new LongAdder();
    private final AtomicLong handlerErrors = new AtomicLong();
    private volatile boolean closed;

    private EmbeddedStore(final StoreConfig config) {
        this.config = config;
        this.clock = config.clock();
        this.dropWhenFull = config.fullRingPolicy() == StoreConfig.FullRingPolicy.DROP;
        this.dictionary = new Dictionary(config.cardinalityLimits(), config.maxStringLength(), null);
        this.aggregates = new Aggregates(config, dictionary);
        final ThreadFactory threads = runnable -> {
            final Thread t = new Thread(runnable, "ringmeter-aggregator");
            t.setDaemon(true);
            consumerThreads.add(t);
            return t;
        };
        this.disruptor = new Disruptor<>(EventSlot::new, config.ringSize(), threads, ProducerType.MULTI,
            waitStrategy(config));
        disruptor.setDefaultExceptionHandler(new LoggingExceptionHandler());
        disruptor.handleEventsWith(new AggregateHandler(aggregates, clock, true));
        this.ring = disruptor.start();
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
            ring.publish(sequence);
        }
        return true;
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
            ring.publish(sequence);
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
        final long sequence = ring.next();
        final EventSlot slot = ring.get(sequence);
        slot.kind = EventSlot.KIND_PRICE;
        slot.timestampMs = clock.time();
        slot.model = id;
        slot.priceInputUsdPerMillion = inputUsdPerMillion;
        slot.priceOutputUsdPerMillion = outputUsdPerMillion;
        ring.publish(sequence);
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
                return -1;
            }
        }
        return ring.next();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("store is closed");
        }
    }

    @Override
    public boolean flush(final long timeout, final TimeUnit unit) throws InterruptedException {
        final long target = ring.getCursor();
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        int rounds = 0;
        while (ring.getMinimumGatingSequence() < target) {
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
        return true;
    }

    private void wakeConsumers() {
        for (final Thread t : consumerThreads) {
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
        return new StoreStats(cursor + 1, dropped.sum(), aggregates.events(), aggregates.metricSamples(),
            aggregates.expired(), ring.getBufferSize(), cursor - ring.getMinimumGatingSequence(),
            dictionary.size(Dimension.MODEL), aggregates.footprintBytes());
    }

    /**
     * @return events and samples dropped because the ring was full.
     */
    public long dropped() {
        return dropped.sum();
    }

    /**
     * Stops accepting events, applies every event already in the ring and stops the consumer. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            wakeConsumers();
            disruptor.shutdown(10, TimeUnit.SECONDS);
        } catch (final TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "ring did not drain within 10 s; halting");
            disruptor.halt();
        }
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
