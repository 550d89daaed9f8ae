package dev.ringmeter.server.ingest;

import dev.ringmeter.server.http.ApiException;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bounds the write requests served at once, and with them the memory ingest can hold: a fixed pool of
 * {@link IngestBatch} buffers, one per permit. A request that finds none free is refused at once (HTTP 429)
 * rather than queued, so overload costs the server nothing but the refusal.
 * <p>
 * Threading: any request thread.
 */
public final class IngestGate {
    private final ArrayBlockingQueue<IngestBatch> free;
    private final int permits;
    private final LongAdder rejected = new LongAdder();

    /**
     * @param permits write requests served at once.
     */
    public IngestGate(final int permits) {
        this.permits = permits;
        this.free = new ArrayBlockingQueue<>(permits);
        for (int i = 0; i < permits; i++) {
            free.add(new IngestBatch());
        }
    }

    /**
     * @return a batch buffer to use and then {@link #release}.
     * @throws ApiException 429 when every permit is taken.
     */
    IngestBatch acquire() {
        final IngestBatch batch = free.poll();
        if (batch == null) {
            rejected.increment();
            throw ApiException.tooManyRequests("too many write requests in flight (" + permits + "); retry later", 1);
        }
        return batch;
    }

    /** @param batch taken by {@link #acquire()}. */
    void release(final IngestBatch batch) {
        free.add(batch);
    }

    /** @return write requests being served now. */
    public int inFlight() {
        return permits - free.size();
    }

    /** @return the most write requests served at once. */
    public int permits() {
        return permits;
    }

    /** @return requests refused with 429 since start. */
    public long rejected() {
        return rejected.sum();
    }
}
