package dev.ringmeter.server.ingest;

import dev.ringmeter.Event;
import dev.ringmeter.wire.FieldNames;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads the common NDJSON batch of events straight from the request's bytes, with no tokenizer in between: each
 * field name is matched on its bytes (a hash over them, looked up in a table of the event's names, which hands back
 * the name's one String), each string value is taken from the batch's {@link TextCache} on its bytes (no String for a
 * value seen before), and numbers are parsed in place. The values go through the same setters as
 * {@link EventReader}'s ({@link EventReader#text}, {@link EventReader#number}, {@link EventReader#whole}), and each
 * event through the store's rules ({@link EventReader#check}): no rule lives here.
 * <p>
 * It takes only the plain shape: one object per line, ASCII strings without escapes, numbers without an exponent and
 * of at most 15 significant digits with a fraction (18 without), strings, numbers and null as values. On anything
 * else (an escape, a nested {@code quality} or {@code tags}, a boolean, a duplicate or unknown field, a value a
 * setter or a rule refuses, a batch past its limit, malformed JSON) it gives up and returns -1; the caller then reads
 * the whole body again with {@link BatchReader}, which takes every valid body and names what is wrong in a bad one.
 * Nothing read here has reached the store by then: the batch's items are only refilled.
 * <p>
 * Memory: a table of {@value #SLOTS} field indexes and the names' bytes, shared; nothing per call.
 * <p>
 * Threading: stateless; any thread, the batch owned by the caller.
 */
final class NdjsonEventReader {
    /** Slots of the name table; a power of two, at least twice the event's fields. */
    private static final int SLOTS = 128;
    /** The longest whole number taken, in digits: below 10^18, so it fits a long. */
    private static final int MAX_WHOLE_DIGITS = 18;
    /** The most significant digits of a number with a fraction: below 2^53, so mantissa / 10^k is exact-rounded. */
    private static final int MAX_FRACTION_DIGITS = 15;
    private static final double[] POWERS_OF_TEN = new double[MAX_FRACTION_DIGITS + 1];
    private static final List<String> NAMES = FieldNames.EVENT;
    private static final byte[][] NAME_BYTES = new byte[NAMES.size()][];
    /** Index + 1 of the field in {@link #NAMES} by its bytes' hash, open addressing; 0 is empty. */
    private static final int[] TABLE = new int[SLOTS];

    static {
        double p = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = p;
            p *= 10;
        }
        for (int i = 0; i < NAMES.size(); i++) {
            NAME_BYTES[i] = NAMES.get(i).getBytes(StandardCharsets.US_ASCII);
            int slot = hash(NAME_BYTES[i], 0, NAME_BYTES[i].length) & (SLOTS - 1);
            while (TABLE[slot] != 0) {
                slot = (slot + 1) & (SLOTS - 1);
            }
            TABLE[slot] = i + 1;
        }
    }

    /** Gives up on the body: the caller reads it again with the full parser. */
    private static final class GiveUp extends RuntimeException {
        private static final GiveUp INSTANCE = new GiveUp();

        private GiveUp() {
            super(null, null, false, false);
        }
    }

    private final byte[] b;
    private final int end;
    private int i;

    private NdjsonEventReader(final byte[] bytes, final int start, final int end) {
        this.b = bytes;
        this.i = start;
        this.end = end;
    }

    /**
     * @param bytes    holds the body.
     * @param start    index of its first byte.
     * @param end      index past its last byte.
     * @param maxBatch most events of a batch.
     * @param batch    to fill.
     * @param events   the store's event reader: its setters and rules.
     * @return the number of events read and checked, or -1 if the body is not of the plain shape taken here, or
     *         breaks a rule, or is empty: then read it with {@link BatchReader}.
     */
    static int read(final byte[] bytes, final int start, final int end, final int maxBatch, final IngestBatch batch,
                    final EventReader events) {
        try {
            return new NdjsonEventReader(bytes, start, end).events(maxBatch, batch, events);
        } catch (final GiveUp | IllegalArgumentException e) {   // or a setter's or a rule's refusal
            return -1;
        }
    }

    private int events(final int maxBatch, final IngestBatch batch, final EventReader events) {
        final TextCache texts = batch.texts();
        int count = 0;
        while (true) {
            while (i < end && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) {
                i++;
            }
            if (i == end) {
                return count == 0 ? -1 : count;
            }
            if (count >= maxBatch) {
                return -1;
            }
            final Event e = events.item(batch, count);
            object(e, texts);
            events.check(e);
            count++;
            while (i < end && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r')) {
                i++;
            }
            if (i < end && b[i] != '\n') {
                return -1;   // more after the object on its line
            }
        }
    }

    private void object(final Event e, final TextCache texts) {
        expect('{');
        int seen = 0;
        if (next() == '}') {
            i++;
            return;
        }
        while (true) {
            expect('"');
            final int nameStart = i;
            while (i < end && b[i] != '"') {
                if (b[i] == '\\') {
                    throw GiveUp.INSTANCE;
                }
                i++;
            }
            if (i == end) {
                throw GiveUp.INSTANCE;
            }
            final int field = field(nameStart, i);
            i++;
            if (field < 0 || (seen & 1 << field) != 0) {
                throw GiveUp.INSTANCE;
            }
            seen |= 1 << field;
            final String name = NAMES.get(field);
            if (next() != ':') {
                throw GiveUp.INSTANCE;
            }
            i++;
            value(e, name, next(), texts);
            final byte after = next();
            i++;
            if (after == '}') {
                return;
            }
            if (after != ',') {
                throw GiveUp.INSTANCE;
            }
            next();
        }
    }

    private void value(final Event e, final String name, final byte first, final TextCache texts) {
        if (first == '"') {
            final int start = ++i;
            while (i < end && b[i] != '"') {
                final byte c = b[i];
                if (c == '\\' || c < 0x20) {   // an escape, a control char, or (negative) a byte of UTF-8
                    throw GiveUp.INSTANCE;
                }
                i++;
            }
            if (i == end) {
                throw GiveUp.INSTANCE;
            }
            final String text = texts.ascii(b, start, i - start);
            i++;
            given(EventReader.text(e, name, text));
        } else if (first == '-' || first >= '0' && first <= '9') {
            number(e, name);
        } else if (first == 'n' && i + 4 <= end && b[i + 1] == 'u' && b[i + 2] == 'l' && b[i + 3] == 'l') {
            i += 4;   // null: the field is absent
        } else {
            throw GiveUp.INSTANCE;
        }
    }

    private void number(final Event e, final String name) {
        final boolean negative = b[i] == '-';
        if (negative) {
            i++;
        }
        final int start = i;
        long mantissa = 0;
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            mantissa = mantissa * 10 + (b[i++] - '0');
        }
        final int wholeDigits = i - start;
        if (wholeDigits == 0 || wholeDigits > MAX_WHOLE_DIGITS || wholeDigits > 1 && b[start] == '0') {
            throw GiveUp.INSTANCE;
        }
        int fractionDigits = 0;
        if (i < end && b[i] == '.') {
            i++;
            while (i < end && b[i] >= '0' && b[i] <= '9') {
                mantissa = mantissa * 10 + (b[i++] - '0');
                fractionDigits++;
            }
            if (fractionDigits == 0 || wholeDigits + fractionDigits > MAX_FRACTION_DIGITS) {
                throw GiveUp.INSTANCE;
            }
        }
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            throw GiveUp.INSTANCE;
        }
        final long signed = negative ? -mantissa : mantissa;
        if (fractionDigits == 0) {
            given(EventReader.whole(e, name, signed) || EventReader.number(e, name, signed));
        } else {
            given(EventReader.number(e, name, signed / POWERS_OF_TEN[fractionDigits]));
        }
    }

    /** @param set whether the field took a value of this JSON type; if not, the full parser names the problem. */
    private static void given(final boolean set) {
        if (!set) {
            throw GiveUp.INSTANCE;
        }
    }

    /** @return the index in {@link #NAMES} of the name in bytes [from, to), or -1. */
    private int field(final int from, final int to) {
        int slot = hash(b, from, to) & (SLOTS - 1);
        int entry;
        while ((entry = TABLE[slot]) != 0) {
            final byte[] name = NAME_BYTES[entry - 1];
            if (name.length == to - from && same(name, from)) {
                return entry - 1;
            }
            slot = (slot + 1) & (SLOTS - 1);
        }
        return -1;
    }

    private boolean same(final byte[] name, final int from) {
        for (int k = 0; k < name.length; k++) {
            if (b[from + k] != name[k]) {
                return false;
            }
        }
        return true;
    }

    private static int hash(final byte[] bytes, final int from, final int to) {
        int h = 0;
        for (int k = from; k < to; k++) {
            h = 31 * h + bytes[k];
        }
        return h ^ h >>> 7;
    }

    /** @return the next byte past spaces and tabs (the position left on it); a line break inside gives up. */
    private byte next() {
        while (i < end && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r')) {
            i++;
        }
        if (i == end || b[i] == '\n') {
            throw GiveUp.INSTANCE;
        }
        return b[i];
    }

    private void expect(final char c) {
        if (next() != c) {
            throw GiveUp.INSTANCE;
        }
        i++;
    }
}
