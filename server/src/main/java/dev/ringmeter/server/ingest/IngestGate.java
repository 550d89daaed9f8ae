package dev.ringmeter.server.ingest;

import dev.ringmeter.server.http.ApiException;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bounds the write requests served at once, and with them the memory ingest can hold: a fixed pool of
 * {@link IngestBatch} buffers, one per permit. A request that finds none free is refused at once (HTTP 429)
 * rather than queued, so overload costs the server nothing but the refusal. A request asks for a permit only once
 * its whole body is in; the gate also counts the bodies being read meanwhile and those that timed out (408).
 * <p>
 * Threading: any request thread.
 */
public final class IngestGate {
    private final ArrayBlockingQueue<IngestBatch> free;
    private final int permits;
    private final LongAdder rejected = new LongAdder();
    private final AtomicInteger reading = new AtomicInteger();
    private final LongAdder bodyTimeouts = new LongAdder();
    private final LongAdder spansIgnored = new LongAdder();

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

    /** Counts a body that starts to be read, before any permit; {@link #bodyRead} follows it. */
    void bodyReading() {
        reading.incrementAndGet();
    }

    /** @param timedOut whether the body failed to arrive within the body timeout. */
    void bodyRead(final boolean timedOut) {
        reading.decrementAndGet();
        if (timedOut) {
            bodyTimeouts.increment();
        }
    }

    /** @return write requests whose bodies are being read now, holding no permit. */
    public int bodiesReading() {
        return reading.get();
    }

    /** @return write requests refused with 408 since start: their bodies did not arrive within the body timeout. */
    public long bodyTimeouts() {
        return bodyTimeouts.sum();
    }

    /** @param n spans of an OTLP export that were not GenAI spans, and so were left out. */
    public void spansIgnored(final long n) {
        spansIgnored.add(n);
    }

    /** @return spans received over OTLP since start that were not GenAI spans, and so were left out. */
    public long spansIgnored() {
        return spansIgnored.sum();
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
