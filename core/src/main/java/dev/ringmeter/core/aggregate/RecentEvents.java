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
 * The last N events of one model: their numbers in one primitive array with a stride of 14 longs, and the values of
 * their released dimensions (operation, pipeline, step, run, task, config) as the strings themselves, 6 references
 * an event in a second array. Adding one allocates nothing (a reference store into a pre-allocated array), and no
 * id of a released dimension is kept, so a value's id can be released and given to another value while the event
 * is still here. The error type, provider, tool and agent, pinned dimensions, stay ids. Quality scores and tags are not kept here; they
 * are in the aggregates (and the journal).
 * <p>
 * Threading: not thread-safe; written by the aggregate writer, read under the aggregates' lock; a snapshot writes
 * the copy the writer made of it ({@link #copyInto}).
 */
final class RecentEvents {
    private static final int STRIDE = 14;
    private static final int TIMESTAMP = 0;
    private static final int LATENCY = 1;
    private static final int TTFT = 2;
    private static final int QUEUE_WAIT = 3;
    private static final int PROMPT_TOKENS = 4;
    private static final int COMPLETION_TOKENS = 5;
    private static final int MEMORY = 6;
    private static final int CPU = 7;
    private static final int COST = 8;
    private static final int ERROR_RETRIES = 9;
    private static final int STATUS_CACHE = 10;
    private static final int PROVIDER_TOOL = 11;
    /** The agent's id and the reasoning tokens (-1 for none: a token count fits an int). */
    private static final int AGENT_REASONING = 12;
    /** The cached and the cache-write tokens, -1 for none. */
    private static final int CACHED_WRITE = 13;
    /** The stride of the snapshot layout of versions 3 and older, without the last three longs. */
    private static final int STRIDE_V3 = 11;
    /** The released dimensions kept as strings, in this order. */
    private static final Dimension[] NAMED = {
        Dimension.OPERATION, Dimension.PIPELINE, Dimension.STEP, Dimension.RUN, Dimension.TASK, Dimension.CONFIG};
    private static final int NAMES = NAMED.length;
    /** The stride of the version-2 snapshot layout, whose events kept ids of the released dimensions. */
    private static final int STRIDE_V2 = 16;

    private final int capacity;
    private final Dictionary dictionary;
    private final long[] data;
    private final String[] names;
    private long added;
    private int next;
    /** The value of {@link #added} at the live feed's last {@link #takeNew}: the events after it are new to it. */
    private long taken;

    /**
     * @param capacity   events kept.
     * @param dictionary to turn the ids of a slot into strings as it is added, and error types back at reads.
     */
    RecentEvents(final int capacity, final Dictionary dictionary) {
        this.capacity = capacity;
        this.dictionary = dictionary;
        this.data = new long[capacity * STRIDE];
        this.names = new String[capacity * NAMES];
    }

    /**
     * @param e      the event, its cost stamped.
     * @param timeMs its time.
     */
    void add(final EventSlot e, final long timeMs) {
        final int n = next;
        final int i = n * STRIDE;
        next = n + 1 == capacity ? 0 : n + 1;
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
        d[i + ERROR_RETRIES] = pack(e.errorType, e.retries);
        d[i + STATUS_CACHE] = pack(e.status, e.cache);
        d[i + PROVIDER_TOOL] = pack(e.provider, e.tool);
        d[i + AGENT_REASONING] = pack(e.agent, tokens(e.reasoningTokens));
        d[i + CACHED_WRITE] = pack(tokens(e.cachedTokens), tokens(e.cacheWriteTokens));
        final int j = n * NAMES;
        final String[] s = names;
        final Dictionary dict = dictionary;
        s[j] = dict.name(Dimension.OPERATION, e.operation);
        s[j + 1] = dict.name(Dimension.PIPELINE, e.pipeline);
        s[j + 2] = dict.name(Dimension.STEP, e.step);
        s[j + 3] = dict.name(Dimension.RUN, e.run);
        s[j + 4] = dict.name(Dimension.TASK, e.task);
        s[j + 5] = dict.name(Dimension.CONFIG, e.config);
    }

    private static long pack(final int high, final int low) {
        return ((long)high << 32) | (low & 0xFFFF_FFFFL);
    }

    /** A token count as an int: they are at most {@link Event#MAX_TOKENS}; -1 for none. */
    private static int tokens(final long count) {
        return count == Event.NONE ? -1 : (int)count;
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
     * @param n     how far back, less than {@link #size()}.
     * @param model name of the model.
     * @param into  the event to fill.
     */
    void read(final int n, final String model, final Event into) {
        final int slot = Math.floorMod(next - 1 - n, capacity);
        final int i = slot * STRIDE;
        final int j = slot * NAMES;
        final long[] d = data;
        into.reset()
            .timestampMs(d[i + TIMESTAMP])
            .model(model)
            .operation(names[j])
            .pipeline(names[j + 1])
            .step(names[j + 2])
            .run(names[j + 3])
            .task(names[j + 4])
            .config(names[j + 5])
            .errorType(dictionary.name(Dimension.ERROR_TYPE, high(d[i + ERROR_RETRIES])))
            .provider(dictionary.name(Dimension.PROVIDER, high(d[i + PROVIDER_TOOL])))
            .tool(dictionary.name(Dimension.TOOL, low(d[i + PROVIDER_TOOL])))
            .agent(dictionary.name(Dimension.AGENT, high(d[i + AGENT_REASONING])))
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
        if (low(d[i + AGENT_REASONING]) >= 0) {
            into.reasoningTokens(low(d[i + AGENT_REASONING]));
        }
        if (high(d[i + CACHED_WRITE]) >= 0) {
            into.cachedTokens(high(d[i + CACHED_WRITE]));
        }
        if (low(d[i + CACHED_WRITE]) >= 0) {
            into.cacheWriteTokens(low(d[i + CACHED_WRITE]));
        }
    }

    /**
     * Marks every event held as taken by the live feed (its one reader) and tells how many were added since its last
     * take, the newest of which it may then read with {@link #read} (0 = the newest). Reader only, under the
     * aggregates' lock; the writer never reads the mark.
     *
     * @return events added since the last take (some may have been overwritten since: at most {@link #size()} are
     * still held).
     */
    long takeNew() {
        final long fresh = added - taken;
        taken = added;
        return fresh < 0 ? added : fresh;   // a snapshot read since moved the count back: all it holds are new
    }

    /**
     * @return the heap held, in bytes (not counting the strings, which the dictionary or other events share).
     */
    long footprintBytes() {
        return bytes(capacity);
    }

    /**
     * @param capacity events kept.
     * @return the heap held by an instance of that capacity, in bytes (all allocated up front), not counting the
     * strings its events name.
     */
    static long bytes(final int capacity) {
        return 64 + 2 * 16 + (long)capacity * (STRIDE * 8 + NAMES * 4);
    }

    /**
     * @param capacity        events kept.
     * @param maxStringLength the longest value, chars.
     * @return the most heap the strings its events name may hold on their own: every one a distinct value of the
     * longest length, two bytes a char, released by the dictionary since (a live value's string is the dictionary's).
     */
    static long widestStringsBytes(final int capacity, final int maxStringLength) {
        return (long)capacity * NAMES * (40 + 2L * maxStringLength);
    }

    /**
     * Copies every event held, its numbers and its names, into another instance of the same capacity, for a
     * snapshot. Writer only; allocates nothing (the names are shared, immutable strings).
     *
     * @param image the copy, owned by the snapshot.
     */
    void copyInto(final RecentEvents image) {
        image.added = added;
        image.next = next;
        final int n = size();
        System.arraycopy(data, 0, image.data, 0, n * STRIDE);
        System.arraycopy(names, 0, image.names, 0, n * NAMES);
    }

    /**
     * Writes the events held: their longs, then their strings (each as length and UTF-8, -1 for none).
     * <pre>
     *  added:8 next:4 (long:8 x 14)* (length:4 utf8)* x 6 per event   (snapshot version 3: 11 longs an event)
     * </pre>
     */
    void write(final DataOutput out) throws IOException {
        out.writeLong(added);
        out.writeInt(next);
        final int n = size();
        for (int i = 0; i < n * STRIDE; i++) {
            out.writeLong(data[i]);
        }
        for (int i = 0; i < n * NAMES; i++) {
            AggregatesCodec.writeString(out, names[i]);
        }
    }

    /**
     * Reads what {@link #write} wrote, the version-3 layout (11 longs an event: no provider, tool, agent or token
     * parts), or the version-2 layout (16 longs an event, with the ids of the released dimensions, resolved through
     * the dictionary the same snapshot held).
     *
     * @param in        to read from.
     * @param snapshot  the snapshot's version.
     * @param maxLength longest string a value may be, in chars.
     */
    void read(final DataInput in, final int snapshot, final int maxLength) throws IOException {
        added = in.readLong();
        next = in.readInt();
        if (added < 0 || next < 0 || next >= capacity) {
            throw new IOException("bad recent events position " + next + " of " + capacity);
        }
        final int n = size();
        if (snapshot >= 3) {
            final int stride = snapshot >= 4 ? STRIDE : STRIDE_V3;
            for (int e = 0; e < n; e++) {
                final int i = e * STRIDE;
                for (int k = 0; k < stride; k++) {
                    data[i + k] = in.readLong();
                }
                if (stride == STRIDE_V3) {
                    withoutVersion4Fields(i);
                }
            }
            for (int i = 0; i < n * NAMES; i++) {
                names[i] = AggregatesCodec.readString(in, maxLength);
            }
            return;
        }
        final long[] old = new long[STRIDE_V2];
        for (int e = 0; e < n; e++) {
            for (int k = 0; k < STRIDE_V2; k++) {
                old[k] = in.readLong();
            }
            final int i = e * STRIDE;
            System.arraycopy(old, 0, data, i, COST + 1);
            data[i + ERROR_RETRIES] = old[12];
            data[i + STATUS_CACHE] = old[13];
            withoutVersion4Fields(i);
            final int[] ids = {high(old[9]), low(old[9]), high(old[10]), low(old[10]), high(old[11]), low(old[11])};
            for (int k = 0; k < NAMES; k++) {
                names[e * NAMES + k] = dictionary.name(NAMED[k], ids[k]);
            }
        }
    }

    /** Gives the event at data[i], read from an older snapshot, no provider, tool, agent or token parts. */
    private void withoutVersion4Fields(final int i) {
        data[i + PROVIDER_TOOL] = 0;
        data[i + AGENT_REASONING] = pack(0, -1);
        data[i + CACHED_WRITE] = pack(-1, -1);
    }
}
