package dev.ringmeter.core.aggregate;

import dev.ringmeter.CacheResult;
import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The last N events of one model, in one primitive array with a stride of 16 longs (128 bytes, two cache lines
 * per event), so that adding one allocates nothing and writes two lines. Quality scores and tags are not kept
 * here; they are in the aggregates (and the journal).
 * <p>
 * Threading: not thread-safe; written by the aggregate writer, read under the aggregates' lock; a snapshot writes
 * the copy the writer made of it ({@link #copyInto}).
 */
final class RecentEvents {
    private static final int STRIDE = 16;
    private static final int TIMESTAMP = 0;
    private static final int LATENCY = 1;
    private static final int TTFT = 2;
    private static final int QUEUE_WAIT = 3;
    private static final int PROMPT_TOKENS = 4;
    private static final int COMPLETION_TOKENS = 5;
    private static final int MEMORY = 6;
    private static final int CPU = 7;
    private static final int COST = 8;
    private static final int OPERATION_PIPELINE = 9;
    private static final int STEP_RUN = 10;
    private static final int TASK_CONFIG = 11;
    private static final int ERROR_RETRIES = 12;
    private static final int STATUS_CACHE = 13;

    private final int capacity;
    private final long[] data;
    private long added;
    private int next;

    /**
     * @param capacity events kept.
     */
    RecentEvents(final int capacity) {
        this.capacity = capacity;
        this.data = new long[capacity * STRIDE];
    }

    /**
     * @param e      the event, its cost stamped.
     * @param timeMs its time.
     */
    void add(final EventSlot e, final long timeMs) {
        final int i = next * STRIDE;
        next = next + 1 == capacity ? 0 : next + 1;
        added++;
        final long[] d = data;
        d[i + TIMESTAMP] = timeMs;
        d[i + LATENCY] = e.latencyNs;
        d[i + TTFT] = e.ttftNs;
        d[i + QUEUE_WAIT] = e.queueWaitNs;
        d[i + PROMPT_TOKENS] = e.promptTokens;
        d[i + COMPLETION_TOKENS] = e.completionTokens;
        d[i + MEMORY] = e.memoryBytes;
        d[i + CPU] = e.cpuNs;
        d[i + COST] = Double.doubleToRawLongBits(e.costUsd);
        d[i + OPERATION_PIPELINE] = pack(e.operation, e.pipeline);
        d[i + STEP_RUN] = pack(e.step, e.run);
        d[i + TASK_CONFIG] = pack(e.task, e.config);
        d[i + ERROR_RETRIES] = pack(e.errorType, e.retries);
        d[i + STATUS_CACHE] = pack(e.status, e.cache);
    }

    private static long pack(final int high, final int low) {
        return ((long)high << 32) | (low & 0xFFFF_FFFFL);
    }

    private static int high(final long packed) {
        return (int)(packed >>> 32);
    }

    private static int low(final long packed) {
        return (int)packed;
    }

    /**
     * @return how many events are held (at most the capacity).
     */
    int size() {
        return (int)Math.min(added, capacity);
    }

    /**
     * Copies the n-th newest event (0 = the newest) into an {@link Event}.
     *
     * @param n          how far back, less than {@link #size()}.
     * @param model      name of the model.
     * @param dictionary to turn ids back into strings.
     * @param into       the event to fill.
     */
    void read(final int n, final String model, final Dictionary dictionary, final Event into) {
        final int i = Math.floorMod(next - 1 - n, capacity) * STRIDE;
        final long[] d = data;
        into.reset()
            .timestampMs(d[i + TIMESTAMP])
            .model(model)
            .operation(dictionary.name(Dimension.OPERATION, high(d[i + OPERATION_PIPELINE])))
            .pipeline(dictionary.name(Dimension.PIPELINE, low(d[i + OPERATION_PIPELINE])))
            .step(dictionary.name(Dimension.STEP, high(d[i + STEP_RUN])))
            .run(dictionary.name(Dimension.RUN, low(d[i + STEP_RUN])))
            .task(dictionary.name(Dimension.TASK, high(d[i + TASK_CONFIG])))
            .config(dictionary.name(Dimension.CONFIG, low(d[i + TASK_CONFIG])))
            .errorType(dictionary.name(Dimension.ERROR_TYPE, high(d[i + ERROR_RETRIES])))
            .retries(low(d[i + ERROR_RETRIES]))
            .latencyNs(d[i + LATENCY])
            .status(Status.of(high(d[i + STATUS_CACHE])))
            .cache(CacheResult.of(low(d[i + STATUS_CACHE])));
        if (d[i + TTFT] != Event.NONE) {
            into.ttftNs(d[i + TTFT]);
        }
        if (d[i + QUEUE_WAIT] != Event.NONE) {
            into.queueWaitNs(d[i + QUEUE_WAIT]);
        }
        if (d[i + PROMPT_TOKENS] != Event.NONE) {
            into.promptTokens(d[i + PROMPT_TOKENS]);
        }
        if (d[i + COMPLETION_TOKENS] != Event.NONE) {
            into.completionTokens(d[i + COMPLETION_TOKENS]);
        }
        if (d[i + MEMORY] != Event.NONE) {
            into.memoryBytes(d[i + MEMORY]);
        }
        if (d[i + CPU] != Event.NONE) {
            into.cpuNs(d[i + CPU]);
        }
        final double cost = Double.longBitsToDouble(d[i + COST]);
        if (cost == cost) {
            into.costUsd(cost);
        }
    }

    /**
     * @return the heap held, in bytes.
     */
    long footprintBytes() {
        return 48 + 16 + (long)capacity * STRIDE * 8;
    }

    /**
     * Copies every event held into another instance of the same capacity, for a snapshot. Writer only; allocates
     * nothing.
     *
     * @param image the copy, owned by the snapshot.
     */
    void copyInto(final RecentEvents image) {
        image.added = added;
        image.next = next;
        System.arraycopy(data, 0, image.data, 0, size() * STRIDE);
    }

    void write(final DataOutput out) throws IOException {
        out.writeLong(added);
        out.writeInt(next);
        final int n = size() * STRIDE;
        for (int i = 0; i < n; i++) {
            out.writeLong(data[i]);
        }
    }

    void read(final DataInput in) throws IOException {
        added = in.readLong();
        next = in.readInt();
        if (added < 0 || next < 0 || next >= capacity) {
            throw new IOException("bad recent events position " + next + " of " + capacity);
        }
        final int n = size() * STRIDE;
        for (int i = 0; i < n; i++) {
            data[i] = in.readLong();
        }
    }
}
