package dev.ringmeter.remote;

import dev.ringmeter.CacheResult;
import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.wire.FieldNames;

import java.util.Arrays;

/**
 * One request body of {@link RemoteRecorder}: items of the ring encoded as NDJSON (one JSON object per line, the
 * field names of the server's ingest API), with the offset of each line, so that an item the server refuses by its
 * index can be cut out and the rest sent again. The buffer grows to the largest batch once and is then reused.
 * <p>
 * Durations are written in milliseconds with up to six decimals, exactly ({@code latencyNs} 812_500_000 becomes
 * {@code 812.5}); an absent optional field is left out.
 * <p>
 * Threading: not thread-safe; owned by the sender thread.
 */
final class NdjsonBatch {
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private byte[] bytes;
    private int length;
    private int[] lineStarts = new int[64];
    private int count;
    private boolean first;

    /**
     * @param initialBytes initial size of the buffer.
     */
    NdjsonBatch(final int initialBytes) {
        this.bytes = new byte[Math.max(64, initialBytes)];
    }

    void clear() {
        length = 0;
        count = 0;
    }

    /** @return items in the batch. */
    int count() {
        return count;
    }

    /** @return bytes of the body. */
    int length() {
        return length;
    }

    byte[] bytes() {
        return bytes;
    }

    /** @return the body as a string (for tests and messages). */
    String text() {
        return new String(bytes, 0, length, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Cuts the item at an index out of the batch.
     *
     * @param index of the item, from 0.
     */
    void remove(final int index) {
        final int start = lineStarts[index];
        final int end = index + 1 < count ? lineStarts[index + 1] : length;
        final int cut = end - start;
        System.arraycopy(bytes, end, bytes, start, length - end);
        length -= cut;
        for (int i = index + 1; i < count; i++) {
            lineStarts[i - 1] = lineStarts[i] - cut;
        }
        count--;
    }

    /**
     * Appends the item of a slot of the ring; it must be of this batch's kind.
     *
     * @param ring     the ring.
     * @param position a published position.
     */
    void append(final ManyToOneItemRing ring, final long position) {
        final long[] longs = ring.longs;
        final String[] strings = ring.strings;
        final int l = ring.longBase(position);
        final int s = ring.refBase(position);
        final long header = longs[l + ManyToOneItemRing.HEADER];
        if (count == lineStarts.length) {
            lineStarts = Arrays.copyOf(lineStarts, count * 2);
        }
        lineStarts[count++] = length;
        first = true;
        put((byte)'{');
        if (ManyToOneItemRing.kind(header) == ManyToOneItemRing.KIND_SAMPLE) {
            string(FieldNames.NAME, strings[s + ManyToOneItemRing.MODEL_OR_NAME]);
            number(FieldNames.VALUE, Double.longBitsToDouble(longs[l + ManyToOneItemRing.COST_OR_VALUE_BITS]));
            if (longs[l + ManyToOneItemRing.SAMPLE_COUNT] > 1) {
                whole(FieldNames.COUNT, longs[l + ManyToOneItemRing.SAMPLE_COUNT]);
            }
            whole(FieldNames.TIMESTAMP, longs[l + ManyToOneItemRing.TIMESTAMP_MS]);
            tags(strings, s, ManyToOneItemRing.tagCount(header));
        } else {
            event(longs, l, strings, s, header);
        }
        put((byte)'}');
        put((byte)'\n');
    }

    private void event(final long[] longs, final int l, final String[] strings, final int s, final long header) {
        whole(FieldNames.TIMESTAMP, longs[l + ManyToOneItemRing.TIMESTAMP_MS]);
        string(FieldNames.MODEL, strings[s + ManyToOneItemRing.MODEL_OR_NAME]);
        string(FieldNames.OPERATION, strings[s + ManyToOneItemRing.OPERATION]);
        nanosAsMillis(FieldNames.LATENCY_MS, longs[l + ManyToOneItemRing.LATENCY_NS]);
        nanosAsMillis(FieldNames.TTFT_MS, longs[l + ManyToOneItemRing.TTFT_NS]);
        nanosAsMillis(FieldNames.QUEUE_WAIT_MS, longs[l + ManyToOneItemRing.QUEUE_WAIT_NS]);
        whole(FieldNames.PROMPT_TOKENS, longs[l + ManyToOneItemRing.PROMPT_TOKENS]);
        whole(FieldNames.COMPLETION_TOKENS, longs[l + ManyToOneItemRing.COMPLETION_TOKENS]);
        whole(FieldNames.CACHED_TOKENS, longs[l + ManyToOneItemRing.CACHED_TOKENS]);
        whole(FieldNames.CACHE_WRITE_TOKENS, longs[l + ManyToOneItemRing.CACHE_WRITE_TOKENS]);
        whole(FieldNames.REASONING_TOKENS, longs[l + ManyToOneItemRing.REASONING_TOKENS]);
        final int status = ManyToOneItemRing.status(header);
        if (status != Status.OK.ordinal()) {
            field(FieldNames.STATUS);
            quoted(Status.of(status).wireName());
        }
        string(FieldNames.ERROR_TYPE, strings[s + ManyToOneItemRing.ERROR_TYPE]);
        final long retries = longs[l + ManyToOneItemRing.RETRIES];
        if (retries != 0) {
            whole(FieldNames.RETRIES, retries);
        }
        final int cache = ManyToOneItemRing.cache(header);
        if (cache != CacheResult.UNKNOWN.ordinal()) {
            field(FieldNames.CACHE_HIT);
            ascii(cache == CacheResult.HIT.ordinal() ? "true" : "false");
        }
        whole(FieldNames.MEMORY_BYTES, longs[l + ManyToOneItemRing.MEMORY_BYTES]);
        nanosAsMillis(FieldNames.CPU_MS, longs[l + ManyToOneItemRing.CPU_NS]);
        final double cost = Double.longBitsToDouble(longs[l + ManyToOneItemRing.COST_OR_VALUE_BITS]);
        if (cost == cost) {
            number(FieldNames.COST_USD, cost);
        }
        final int qualities = ManyToOneItemRing.qualityCount(header);
        if (qualities > 0) {
            field(FieldNames.QUALITY);
            put((byte)'{');
            for (int i = 0; i < qualities; i++) {
                if (i > 0) {
                    put((byte)',');
                }
                quoted(strings[s + ManyToOneItemRing.QUALITY_NAMES + i]);
                put((byte)':');
                ascii(Double.toString(Double.longBitsToDouble(longs[l + ManyToOneItemRing.QUALITY_VALUE_BITS + i])));
            }
            put((byte)'}');
        }
        string(FieldNames.PIPELINE, strings[s + ManyToOneItemRing.PIPELINE]);
        string(FieldNames.STEP, strings[s + ManyToOneItemRing.STEP]);
        string(FieldNames.RUN, strings[s + ManyToOneItemRing.RUN]);
        string(FieldNames.TASK, strings[s + ManyToOneItemRing.TASK]);
        string(FieldNames.CONFIG, strings[s + ManyToOneItemRing.CONFIG]);
        string(FieldNames.PROVIDER, strings[s + ManyToOneItemRing.PROVIDER]);
        string(FieldNames.TOOL, strings[s + ManyToOneItemRing.TOOL]);
        string(FieldNames.AGENT, strings[s + ManyToOneItemRing.AGENT]);
        tags(strings, s, ManyToOneItemRing.tagCount(header));
    }

    private void tags(final String[] strings, final int s, final int n) {
        if (n == 0) {
            return;
        }
        field(FieldNames.TAGS);
        put((byte)'{');
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                put((byte)',');
            }
            quoted(strings[s + ManyToOneItemRing.TAG_KEYS + i]);
            put((byte)':');
            quoted(strings[s + ManyToOneItemRing.TAG_VALUES + i]);
        }
        put((byte)'}');
    }

    private void field(final String name) {
        if (!first) {
            put((byte)',');
        }
        first = false;
        put((byte)'"');
        ascii(name);
        put((byte)'"');
        put((byte)':');
    }

    private void string(final String name, final String value) {
        if (value != null) {
            field(name);
            quoted(value);
        }
    }

    private void whole(final String name, final long value) {
        if (value != Event.NONE) {
            field(name);
            decimal(value);
        }
    }

    private void number(final String name, final double value) {
        field(name);
        ascii(Double.toString(value));
    }

    /** Writes nanoseconds as milliseconds with up to six decimals, exactly and without allocating. */
    private void nanosAsMillis(final String name, final long ns) {
        if (ns == Event.NONE) {
            return;
        }
        field(name);
        decimal(ns / 1_000_000);
        int fraction = (int)(ns % 1_000_000);
        if (fraction != 0) {
            int digits = 6;
            while (fraction % 10 == 0) {
                fraction /= 10;
                digits--;
            }
            put((byte)'.');
            digits(fraction, digits);
        }
    }

    private void decimal(final long value) {
        if (value < 0) {   // cannot happen for the checked fields; kept correct anyway
            ascii(Long.toString(value));
            return;
        }
        int digits = 1;
        for (long p = 10; p <= value && digits < 19; p *= 10) {
            digits++;
        }
        digits(value, digits);
    }

    /** Writes the last {@code digits} decimal digits of a value &gt;= 0, leading zeros included. */
    private void digits(final long value, final int digits) {
        ensure(digits);
        long v = value;
        for (int i = digits - 1; i >= 0; i--) {
            bytes[length + i] = (byte)('0' + v % 10);
            v /= 10;
        }
        length += digits;
    }

    private void ascii(final String s) {
        final int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[length++] = (byte)s.charAt(i);
        }
    }

    /** Writes a JSON string: escapes quote, backslash and control characters, encodes the rest as UTF-8. */
    private void quoted(final String s) {
        final int n = s.length();
        ensure(n * 3 + 2);
        put((byte)'"');
        for (int i = 0; i < n; i++) {
            final char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80) {
                if (c == '"' || c == '\\') {
                    put((byte)'\\');
                }
                put((byte)c);
            } else if (c < 0x20) {
                ensure(6);
                bytes[length++] = '\\';
                bytes[length++] = 'u';
                bytes[length++] = '0';
                bytes[length++] = '0';
                bytes[length++] = HEX[c >> 4];
                bytes[length++] = HEX[c & 0xF];
            } else if (c < 0x800) {
                put((byte)(0xC0 | c >> 6));
                put((byte)(0x80 | c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                final int cp = Character.toCodePoint(c, s.charAt(++i));
                ensure(4);
                bytes[length++] = (byte)(0xF0 | cp >> 18);
                bytes[length++] = (byte)(0x80 | cp >> 12 & 0x3F);
                bytes[length++] = (byte)(0x80 | cp >> 6 & 0x3F);
                bytes[length++] = (byte)(0x80 | cp & 0x3F);
            } else {
                final char u = Character.isSurrogate(c) ? '\uFFFD' : c;   // a lone surrogate is not UTF-8
                ensure(3);
                bytes[length++] = (byte)(0xE0 | u >> 12);
                bytes[length++] = (byte)(0x80 | u >> 6 & 0x3F);
                bytes[length++] = (byte)(0x80 | u & 0x3F);
            }
        }
        put((byte)'"');
    }

    private void put(final byte b) {
        if (length == bytes.length) {
            ensure(1);
        }
        bytes[length++] = b;
    }

    private void ensure(final int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
