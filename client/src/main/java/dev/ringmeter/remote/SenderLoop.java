package dev.ringmeter.remote;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The sender thread of a {@link RemoteRecorder}, {@value RemoteRecorder#SENDER_THREAD_NAME}: one thread, one role.
 * It waits until a batch is due ({@link RemoteConfig#batchSize} items are published, {@link RemoteConfig#lingerMs}
 * has passed since the first of them, a flush asks for them, or the recorder is draining to close), takes the
 * published items off the ring into an events batch and a samples batch (at most {@code batchSize} items and
 * {@link RemoteConfig#maxBatchBytes} of body) and hands their slots back, has {@link BatchDelivery} settle each
 * batch, then advances the {@link SettledPosition}. When it stops, whatever is still in the ring is counted as
 * failed and settled, so that no flush waits for it.
 * <p>
 * Threading: {@link #run()} runs on its own daemon thread, started once by {@link #start()}; it is the ring's only
 * consumer and owns the two batches. {@link #wake()}, {@link #drain()}, {@link #stop()}, {@link #join(long)} and
 * {@link #thread()} may be called from any thread; {@code wake} is a single {@link LockSupport#unpark}, cheap enough
 * for the recording path.
 */
final class SenderLoop implements Runnable {
    private static final System.Logger LOG = System.getLogger(RemoteRecorder.class.getName());
    /** The park when the ring is empty: this while draining, else the linger if longer; a full batch wakes it. */
    private static final long IDLE_PARK_FLOOR_NS = 1_000_000;

    private final ManyToOneItemRing ring;
    private final BatchDelivery delivery;
    private final DeliveryCounters counters;
    private final SettledPosition settled;
    private final AtomicBoolean stopping;
    private final Thread thread;
    private final NdjsonBatch events = new NdjsonBatch(64 * 1024);
    private final NdjsonBatch samples = new NdjsonBatch(4 * 1024);
    private final int batchSize;
    private final int maxBatchBytes;
    private final long lingerNs;

    private volatile boolean draining;
    /** The next position to take from the ring. Sender thread only. */
    private long position;

    /**
     * @param config   concluded options: {@code batchSize}, {@code maxBatchBytes}, {@code lingerMs}.
     * @param ring     the buffer this thread consumes.
     * @param delivery settles each batch.
     * @param counters where items still unsent at the stop are counted as failed.
     * @param settled  advanced after each batch.
     * @param stopping set by {@link #stop()}; shared with the delivery, which gives up when it is set.
     */
    SenderLoop(final RemoteConfig config, final ManyToOneItemRing ring, final BatchDelivery delivery,
               final DeliveryCounters counters, final SettledPosition settled, final AtomicBoolean stopping) {
        this.ring = ring;
        this.delivery = delivery;
        this.counters = counters;
        this.settled = settled;
        this.stopping = stopping;
        this.batchSize = config.batchSize();
        this.maxBatchBytes = config.maxBatchBytes();
        this.lingerNs = TimeUnit.MILLISECONDS.toNanos(config.lingerMs());
        this.thread = new Thread(this, RemoteRecorder.SENDER_THREAD_NAME);
        thread.setDaemon(true);
    }

    /** Starts the sender thread; once. */
    void start() {
        thread.start();
    }

    /** Ends a wait: a batch has filled, or a flush waits. Any thread. */
    void wake() {
        LockSupport.unpark(thread);
    }

    /** From now on sends what is published at once, without lingering: the recorder is closing. Any thread. */
    void drain() {
        draining = true;
    }

    /** Makes the thread give up what it has not delivered and end. Any thread. */
    void stop() {
        stopping.set(true);
        thread.interrupt();
    }

    /**
     * @param timeoutMs how long to wait for the thread to end.
     * @throws InterruptedException if interrupted while waiting.
     */
    void join(final long timeoutMs) throws InterruptedException {
        thread.join(timeoutMs);
    }

    /** @return the sender thread. */
    Thread thread() {
        return thread;
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (final RuntimeException | Error e) {
            counters.lastError("sender stopped: " + e);
            LOG.log(System.Logger.Level.ERROR, "the sender thread stopped; nothing more will be sent", e);
        } finally {
            final long tail = ring.tail();
            if (tail > position) {   // given up: still in the buffer when the recorder stopped
                counters.addFailed(tail - position);
            }
            settled.advanceTo(Math.max(settled.value(), tail));
        }
    }

    private void loop() {
        long firstSeenNs = 0;
        while (!stopping.get()) {
            final long available = ring.tail() - position;
            if (available == 0) {
                firstSeenNs = 0;
                LockSupport.parkNanos(draining ? IDLE_PARK_FLOOR_NS : Math.max(lingerNs, IDLE_PARK_FLOOR_NS));
                continue;
            }
            final long now = System.nanoTime();
            if (firstSeenNs == 0) {
                firstSeenNs = now;
            }
            final boolean due = available >= batchSize || settled.isFlushRequestedBeyond(position) || draining
                || now - firstSeenNs >= lingerNs;
            if (!due) {
                LockSupport.parkNanos(lingerNs - (now - firstSeenNs));
                continue;
            }
            final int taken = take();
            if (taken == 0) {
                Thread.onSpinWait();   // a producer claimed the slot and is still copying
                continue;
            }
            firstSeenNs = 0;
            delivery.deliver(events, delivery.eventsUri());
            delivery.deliver(samples, delivery.metricsUri());
            settled.advanceTo(position);
        }
    }

    /** Encodes the next published items into the two batches and hands their slots back. */
    private int take() {
        events.clear();
        samples.clear();
        int n = 0;
        while (n < batchSize && events.length() < maxBatchBytes && samples.length() < maxBatchBytes
            && ring.isPublished(position + n)) {
            final long p = position + n;
            final long header = ring.longs[ring.longBase(p) + ManyToOneItemRing.HEADER];
            (ManyToOneItemRing.kind(header) == ManyToOneItemRing.KIND_SAMPLE ? samples : events).append(ring, p);
            n++;
        }
        if (n > 0) {
            ring.release(position, n);
            position += n;
        }
        return n;
    }
}
