package dev.ringmeter.core;

import dev.ringmeter.CacheResult;
import dev.ringmeter.Event;
import dev.ringmeter.Status;

/**
 * The last N events of one model, kept column-wise in primitive arrays (about 110 bytes per event) so that adding
 * one allocates nothing. Quality scores and tags are not kept here; they are in the aggregates and the journal.
 * <p>
 * Threading: not thread-safe; written by the aggregate writer, read under the aggregates' lock.
 */
final class RecentEvents {
    private final int capacity;
    private final long[] timestampMs;
    private final long[] latencyNs;
    private final long[] ttftNs;
    private final long[] queueWaitNs;
    private final long[] promptTokens;
    private final long[] completionTokens;
    private final long[] memoryBytes;
    private final long[] cpuNs;
    private final double[] costUsd;
    private final int[] operation;
    private final int[] pipeline;
    private final int[] step;
    private final int[] run;
    private final int[] task;
    private final int[] config;
    private final int[] errorType;
    private final int[] retries;
    private final byte[] status;
    private final byte[] cache;
    private long added;
    private int next;

    /**
     * @param capacity events kept.
     */
    RecentEvents(final int capacity) {
        this.capacity = capacity;
        timestampMs = new long[capacity];
        latencyNs = new long[capacity];
        ttftNs = new long[capacity];
        queueWaitNs = new long[capacity];
        promptTokens = new long[capacity];
        completionTokens = new long[capacity];
        memoryBytes = new long[capacity];
        cpuNs = new long[capacity];
        costUsd = new double[capacity];
        operation = new int[capacity];
        pipeline = new int[capacity];
        step = new int[capacity];
        run = new int[capacity];
        task = new int[capacity];
        config = new int[capacity];
        errorType = new int[capacity];
        retries = new int[capacity];
        status = new byte[capacity];
        cache = new byte[capacity];
    }

    void add(final EventSlot e, final long timeMs, final double cost) {
        final int i = next;
        next = i + 1 == capacity ? 0 : i + 1;
        added++;
        timestampMs[i] = timeMs;
        latencyNs[i] = e.latencyNs;
        ttftNs[i] = e.ttftNs;
        queueWaitNs[i] = e.queueWaitNs;
        promptTokens[i] = e.promptTokens;
        completionTokens[i] = e.completionTokens;
        memoryBytes[i] = e.memoryBytes;
        cpuNs[i] = e.cpuNs;
        costUsd[i] = cost;
        operation[i] = e.operation;
        pipeline[i] = e.pipeline;
        step[i] = e.step;
        run[i] = e.run;
        task[i] = e.task;
        config[i] = e.config;
        errorType[i] = e.errorType;
        retries[i] = e.retries;
        status[i] = e.status;
        cache[i] = e.cache;
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
     * @param n          how far back.
     * @param model      name of the model.
     * @param dictionary to turn ids back into strings.
     * @param into       the event to fill.
     */
    void read(final int n, final String model, final Dictionary dictionary, final Event into) {
        final int i = (int)((added - 1 - n) % capacity);
        into.reset()
            .timestampMs(timestampMs[i])
            .model(model)
            .operation(dictionary.name(Dimension.OPERATION, operation[i]))
            .pipeline(dictionary.name(Dimension.PIPELINE, pipeline[i]))
            .step(dictionary.name(Dimension.STEP, step[i]))
            .run(dictionary.name(Dimension.RUN, run[i]))
            .task(dictionary.name(Dimension.TASK, task[i]))
            .config(dictionary.name(Dimension.CONFIG, config[i]))
            .errorType(dictionary.name(Dimension.ERROR_TYPE, errorType[i]))
            .latencyNs(latencyNs[i])
            .status(Status.of(status[i]))
            .retries(retries[i])
            .cache(CacheResult.of(cache[i]));
        if (ttftNs[i] != Event.NONE) {
            into.ttftNs(ttftNs[i]);
        }
        if (queueWaitNs[i] != Event.NONE) {
            into.queueWaitNs(queueWaitNs[i]);
        }
        if (promptTokens[i] != Event.NONE) {
            into.promptTokens(promptTokens[i]);
        }
        if (completionTokens[i] != Event.NONE) {
            into.completionTokens(completionTokens[i]);
        }
        if (memoryBytes[i] != Event.NONE) {
            into.memoryBytes(memoryBytes[i]);
        }
        if (cpuNs[i] != Event.NONE) {
            into.cpuNs(cpuNs[i]);
        }
        if (costUsd[i] == costUsd[i]) {
            into.costUsd(costUsd[i]);
        }
    }

    /**
     * @return the heap held, in bytes.
     */
    long footprintBytes() {
        return 64 + 19 * 16 + capacity * (9L * 8 + 9L * 4 + 2);
    }
}
