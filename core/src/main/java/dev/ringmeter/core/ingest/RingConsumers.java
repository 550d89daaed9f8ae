package dev.ringmeter.core.ingest;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The consumer side of the store's ring: a multi-producer Disruptor ring of {@link EventSlot}s whose handlers run
 * one after the other on each slot, each on its own daemon thread named for its role: the journal handler
 * ({@code ringmeter-journal}) when the store has a data directory, then the aggregate handler
 * ({@code ringmeter-aggregator}). A handler's exception is logged (the first 100) and its slot skipped; the
 * consumer goes on. Producers use the ring through a {@link RingPublisher}.
 * <p>
 * Threading: the constructor starts the consumers on the thread that opens the store, and {@link #stop} or
 * {@link #halt} stop them on the thread that closes it. {@link #ring()} and {@link #threads()} are final fields,
 * complete when the constructor returns (the consumer threads exist and run by then), so every thread that is
 * handed this object sees all of them.
 */
public final class RingConsumers {
    private static final System.Logger LOG = System.getLogger(RingConsumers.class.getName());
    private static final int LOGGED_HANDLER_ERRORS = 100;

    private final Disruptor<EventSlot> disruptor;
    private final RingBuffer<EventSlot> ring;
    private final Thread[] threads;
    private final AtomicLong handlerErrors = new AtomicLong();

    /**
     * Builds the ring and starts its consumers.
     *
     * @param ringSize         slots in the ring, a power of two.
     * @param waitStrategy     how an idle consumer waits.
     * @param journalHandler   the first handler, or null for a store without a journal.
     * @param aggregateHandler the last handler.
     */
    public RingConsumers(final int ringSize, final WaitStrategy waitStrategy,
                         final EventHandler<EventSlot> journalHandler, final EventHandler<EventSlot> aggregateHandler) {
        // Disruptor.start() creates the threads on this thread, one per handler, in the order they were added.
        final List<Thread> started = new ArrayList<>();
        final ThreadFactory factory = runnable -> {
            final Thread t = new Thread(runnable, started.isEmpty() && journalHandler != null
                ? "ringmeter-journal" : "ringmeter-aggregator");
            t.setDaemon(true);
            started.add(t);
            return t;
        };
        this.disruptor = new Disruptor<>(EventSlot::new, ringSize, factory, ProducerType.MULTI, waitStrategy);
        disruptor.setDefaultExceptionHandler(new LoggingExceptionHandler());
        if (journalHandler != null) {
            disruptor.handleEventsWith(journalHandler).then(aggregateHandler);
        } else {
            disruptor.handleEventsWith(aggregateHandler);
        }
        this.ring = disruptor.start();
        this.threads = started.toArray(new Thread[0]);
    }

    /**
     * @return the ring the consumers read.
     */
    public RingBuffer<EventSlot> ring() {
        return ring;
    }

    /**
     * @return the consumer threads, in handler order; a copy.
     */
    public Thread[] threads() {
        return threads.clone();
    }

    /**
     * Waits until the consumers have passed every published slot, then stops them; if that takes longer than the
     * timeout, logs it and halts them where they are.
     *
     * @param timeoutS how long to wait, seconds.
     */
    public void stop(final long timeoutS) {
        try {
            disruptor.shutdown(timeoutS, TimeUnit.SECONDS);
        } catch (final TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "ring did not drain within " + timeoutS + " s; halting");
            disruptor.halt();
        }
    }

    /**
     * Stops the consumers after the slot each is applying, whatever is left in the ring.
     */
    public void halt() {
        disruptor.halt();
    }

    private final class LoggingExceptionHandler implements ExceptionHandler<EventSlot> {
        @Override
        public void handleEventException(final Throwable ex, final long sequence, final EventSlot event) {
            if (handlerErrors.getAndIncrement() < LOGGED_HANDLER_ERRORS) {
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
