package dev.ringmeter.remote;

import dev.ringmeter.Event;
import dev.ringmeter.MetricSample;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The bounded buffer of {@link RemoteRecorder}: a pre-allocated ring of item slots, each an {@link Event} or a
 * {@link MetricSample} copied into primitive and reference arrays, so that recording allocates nothing and the
 * buffer never grows.
 * <p>
 * Threading: many producers ({@link #offer(Event, long)}, {@link #offer(MetricSample, long)}), one consumer (the
 * sender thread: {@link #isPublished}, the read accessors and {@link #release}). A producer claims a position with a
 * CAS on the tail, copies the item into the slot with plain writes and publishes it by storing the position into the
 * slot's sequence word with release semantics; the consumer reads a slot only after reading that word with acquire
 * semantics, and hands slots back by advancing the head. A full ring makes {@code offer} return -1 at once: no
 * producer ever waits.
 * <p>
 * The slot layout (one slot = {@value #LONGS} longs, three cache lines so that no two slots share one, and
 * {@value #REFS} string references):
 * <pre>
 *   longs[base + i]                               strings[base + i]
 *   0  header: kind | status | cache | nQ | nT     0      model (event) / name (sample)
 *   1  timestampMs                                 1..7   operation, pipeline, step, run, task, config, errorType
 *   2  latencyNs                                   8..11  quality names
 *   3  ttftNs                                      12..15 tag keys
 *   4  queueWaitNs                                 16..19 tag values
 *   5  promptTokens
 *   6  completionTokens
 *   7  memoryBytes
 *   8  cpuNs
 *   9  costUsd bits (event) / value bits (sample)
 *   10 retries
 *   11 sequence: the position published in this slot, -1 before the first
 *   12..15 quality value bits                      20..22 provider, tool, agent
 *   16 cachedTokens  17 cacheWriteTokens  18 reasoningTokens  19..23 unused
 *   header: bits 0-7 kind, 8-15 status ordinal, 16-23 cache ordinal, 24-31 quality count, 32-39 tag count
 * </pre>
 * The three counters each have cache lines of their own, as in the Disruptor's {@code Sequence} and Agrona's
 * {@code ManyToOneConcurrentArrayQueue}: 120 bytes of padding (a superclass of {@code long}s, which the JVM lays
 * out before its subclass's fields) between the producers' {@code tail}, their {@code headCache} and the
 * consumer's {@code head}, and between them and the rest of the object, so that the producers' CAS of the tail,
 * their refreshes of the cache and the consumer's writes of the head do not invalidate each other's line (128 bytes
 * apart: neither the same line nor the adjacent-line pair that some CPUs prefetch together).
 */
final class ManyToOneItemRing extends ItemRingRhsPadding {
    static final int LONGS = 24;
    static final int REFS = 23;

    static final int HEADER = 0;
    static final int TIMESTAMP_MS = 1;
    static final int LATENCY_NS = 2;
    static final int TTFT_NS = 3;
    static final int QUEUE_WAIT_NS = 4;
    static final int PROMPT_TOKENS = 5;
    static final int COMPLETION_TOKENS = 6;
    static final int MEMORY_BYTES = 7;
    static final int CPU_NS = 8;
    static final int COST_OR_VALUE_BITS = 9;
    static final int RETRIES = 10;
    /** A sample's {@link MetricSample#count()}, in the place of an event's retries. */
    static final int SAMPLE_COUNT = RETRIES;
    static final int SEQUENCE = 11;
    static final int QUALITY_VALUE_BITS = 12;
    static final int CACHED_TOKENS = 16;
    static final int CACHE_WRITE_TOKENS = 17;
    static final int REASONING_TOKENS = 18;

    static final int MODEL_OR_NAME = 0;
    static final int OPERATION = 1;
    static final int PIPELINE = 2;
    static final int STEP = 3;
    static final int RUN = 4;
    static final int TASK = 5;
    static final int CONFIG = 6;
    static final int ERROR_TYPE = 7;
    static final int QUALITY_NAMES = 8;
    static final int TAG_KEYS = 12;
    static final int TAG_VALUES = 16;
    static final int PROVIDER = 20;
    static final int TOOL = 21;
    static final int AGENT = 22;

    static final int KIND_EVENT = 1;
    static final int KIND_SAMPLE = 2;

    private static final VarHandle LONG_ARRAY = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle TAIL;
    private static final VarHandle HEAD;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAIL = lookup.findVarHandle(ManyToOneItemRing.class, "tail", long.class);
            HEAD = lookup.findVarHandle(ManyToOneItemRing.class, "head", long.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int capacity;
    private final int mask;
    final long[] longs;
    final String[] strings;

    /**
     * @param capacity slots; a power of two.
     */
    ManyToOneItemRing(final int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two >= 2 but was " + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.longs = new long[capacity * LONGS];
        this.strings = new String[capacity * REFS];
        for (int i = 0; i < capacity; i++) {
            longs[i * LONGS + SEQUENCE] = -1;
        }
    }

    /** @return the positions claimed so far: the number of items accepted since the start. */
    long tail() {
        return (long)TAIL.getVolatile(this);
    }

    /** @return the first position the consumer has not handed back. */
    long head() {
        return (long)HEAD.getVolatile(this);
    }

    /**
     * Copies an event into the next free slot.
     *
     * @param e           a validated event.
     * @param timestampMs the time to give it if it carries none.
     * @return the position of the slot, or -1 if the ring is full.
     */
    long offer(final Event e, final long timestampMs) {
        final long position = claim();
        if (position < 0) {
            return -1;
        }
        final int l = longBase(position);
        final int s = refBase(position);
        final long[] longs = this.longs;
        final String[] strings = this.strings;
        longs[l + HEADER] = KIND_EVENT | (long)e.status().ordinal() << 8 | (long)e.cache().ordinal() << 16
            | (long)e.qualityCount() << 24 | (long)e.tagCount() << 32;
        longs[l + TIMESTAMP_MS] = e.timestampMs() != 0 ? e.timestampMs() : timestampMs;
        longs[l + LATENCY_NS] = e.latencyNs();
        longs[l + TTFT_NS] = e.ttftNs();
        longs[l + QUEUE_WAIT_NS] = e.queueWaitNs();
        longs[l + PROMPT_TOKENS] = e.promptTokens();
        longs[l + COMPLETION_TOKENS] = e.completionTokens();
        longs[l + CACHED_TOKENS] = e.cachedTokens();
        longs[l + CACHE_WRITE_TOKENS] = e.cacheWriteTokens();
        longs[l + REASONING_TOKENS] = e.reasoningTokens();
        longs[l + MEMORY_BYTES] = e.memoryBytes();
        longs[l + CPU_NS] = e.cpuNs();
        longs[l + COST_OR_VALUE_BITS] = Double.doubleToRawLongBits(e.costUsd());
        longs[l + RETRIES] = e.retries();
        strings[s + MODEL_OR_NAME] = e.model();
        strings[s + OPERATION] = e.operation();
        strings[s + PIPELINE] = e.pipeline();
        strings[s + STEP] = e.step();
        strings[s + RUN] = e.run();
        strings[s + TASK] = e.task();
        strings[s + CONFIG] = e.config();
        strings[s + ERROR_TYPE] = e.errorType();
        strings[s + PROVIDER] = e.provider();
        strings[s + TOOL] = e.tool();
        strings[s + AGENT] = e.agent();
        for (int i = 0, n = e.qualityCount(); i < n; i++) {
            strings[s + QUALITY_NAMES + i] = e.qualityName(i);
            longs[l + QUALITY_VALUE_BITS + i] = Double.doubleToRawLongBits(e.qualityValue(i));
        }
        for (int i = 0, n = e.tagCount(); i < n; i++) {
            strings[s + TAG_KEYS + i] = e.tagKey(i);
            strings[s + TAG_VALUES + i] = e.tagValue(i);
        }
        LONG_ARRAY.setRelease(longs, l + SEQUENCE, position);
        return position;
    }

    /**
     * Copies a metric sample into the next free slot.
     *
     * @param m           a validated sample.
     * @param timestampMs the time to give it if it carries none.
     * @return the position of the slot, or -1 if the ring is full.
     */
    long offer(final MetricSample m, final long timestampMs) {
        final long position = claim();
        if (position < 0) {
            return -1;
        }
        final int l = longBase(position);
        final int s = refBase(position);
        longs[l + HEADER] = KIND_SAMPLE | (long)m.tagCount() << 32;
        longs[l + TIMESTAMP_MS] = m.timestampMs() != 0 ? m.timestampMs() : timestampMs;
        longs[l + COST_OR_VALUE_BITS] = Double.doubleToRawLongBits(m.value());
        longs[l + SAMPLE_COUNT] = m.count();
        strings[s + MODEL_OR_NAME] = m.name();
        for (int i = 0, n = m.tagCount(); i < n; i++) {
            strings[s + TAG_KEYS + i] = m.tagKey(i);
            strings[s + TAG_VALUES + i] = m.tagValue(i);
        }
        LONG_ARRAY.setRelease(longs, l + SEQUENCE, position);
        return position;
    }

    private long claim() {
        long t;
        do {
            t = (long)TAIL.getVolatile(this);
            final long cached = headCache;
            if (t - cached >= capacity) {
                final long h = (long)HEAD.getVolatile(this);
                if (h != cached) {   // while the ring stays full, producers only read: no line moves between them
                    headCache = h;
                }
                if (t - h >= capacity) {
                    return -1;
                }
            }
        } while (!TAIL.compareAndSet(this, t, t + 1));
        return t;
    }

    /**
     * @param position a position the consumer has not released.
     * @return true once the producer that claimed it has finished copying.
     */
    boolean isPublished(final long position) {
        return (long)LONG_ARRAY.getAcquire(longs, longBase(position) + SEQUENCE) == position;
    }

    /**
     * Hands slots back to the producers, dropping their string references so the ring retains nothing.
     *
     * @param from  first position to release (the current head).
     * @param count how many.
     */
    void release(final long from, final int count) {
        for (long p = from; p < from + count; p++) {
            final int s = refBase(p);
            Arrays.fill(strings, s, s + REFS, null);
        }
        HEAD.setRelease(this, from + count);
    }

    int longBase(final long position) {
        return (int)(position & mask) * LONGS;
    }

    int refBase(final long position) {
        return (int)(position & mask) * REFS;
    }

    static int kind(final long header) {
        return (int)(header & 0xFF);
    }

    static int status(final long header) {
        return (int)(header >>> 8 & 0xFF);
    }

    static int cache(final long header) {
        return (int)(header >>> 16 & 0xFF);
    }

    static int qualityCount(final long header) {
        return (int)(header >>> 24 & 0xFF);
    }

    static int tagCount(final long header) {
        return (int)(header >>> 32 & 0xFF);
    }
}

/** Padding before the tail: 120 bytes. */
abstract class ItemRingLhsPadding {
    long p01, p02, p03, p04, p05, p06, p07, p08;
    long p09, p10, p11, p12, p13, p14, p15;
}

/** The producers' counter. */
abstract class ItemRingTail extends ItemRingLhsPadding {
    /** The positions claimed so far; producers CAS it (through {@code ManyToOneItemRing.TAIL}). */
    volatile long tail;
}

/** Padding between the tail and the head cache: 120 bytes. */
abstract class ItemRingTailPadding extends ItemRingTail {
    long p16, p17, p18, p19, p20, p21, p22, p23;
    long p24, p25, p26, p27, p28, p29, p30;
}

/** The producers' view of the consumer's counter. */
abstract class ItemRingHeadCache extends ItemRingTailPadding {
    /** The producers' cached view of the head; a stale value only costs a re-read. */
    volatile long headCache;
}

/** Padding between the head cache and the head: 120 bytes. */
abstract class ItemRingHeadCachePadding extends ItemRingHeadCache {
    long p31, p32, p33, p34, p35, p36, p37, p38;
    long p39, p40, p41, p42, p43, p44, p45;
}

/** The consumer's counter. */
abstract class ItemRingHead extends ItemRingHeadCachePadding {
    /** The first position the consumer has not handed back; written by it only (through {@code HEAD}). */
    volatile long head;
}

/** Padding after the head, before the ring's own fields: 120 bytes. */
abstract class ItemRingRhsPadding extends ItemRingHead {
    long p46, p47, p48, p49, p50, p51, p52, p53;
    long p54, p55, p56, p57, p58, p59, p60;
}
