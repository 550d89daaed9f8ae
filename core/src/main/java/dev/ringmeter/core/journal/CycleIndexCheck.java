package dev.ringmeter.core.journal;

import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.queue.RollCycle;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Checks Chronicle's own structures in a cycle file, read without Chronicle, against the documents a walk of the
 * file found ({@link JournalSalvage#walk}): the header's write position (the last data document, and that position
 * with its sequence), its index of index arrays ({@code index2index}: where each index array is) and the index
 * arrays (where every so many data documents are), and the index's shape (the count and spacing the arrays are
 * sized by). Chronicle takes each such value as an offset into the file and maps what lies there, so one that
 * damage has made absurd (a terabyte past the end) makes it map ever more of the file's chunks until the heap is
 * exhausted, and one that points at another document makes it read from the wrong place. The documents' checksums
 * do not cover these structures, so every value Chronicle may follow is checked here before Chronicle opens the file:
 * each address must be 0 (not set) or exactly where the walk found what it names. A file that fails is damaged
 * and salvaged like any other, its documents rewritten into a fresh file whose index Chronicle builds anew.
 * <p>
 * The layout is that of Chronicle's binary wire: the header is the file's first metadata document, an event
 * {@code header} of type {@code SCQStore} with the fields {@code writePosition} (an array of two 64-bit values),
 * {@code indexCount}, {@code indexSpacing}, {@code index2Index} and {@code lastIndex}; an index array is a metadata
 * document, an event {@code index2index} or {@code index} holding an array of 64-bit values (its capacity, the number
 * used, the values).
 * <p>
 * Reads only the metadata documents a walk found (64 KiB a cycle of the journal's default roll cycle) and holds the
 * values of two index arrays at a time, at most 2 x 256 KiB (Chronicle's largest index count, 32 Ki entries).
 * Stateless; any thread.
 */
final class CycleIndexCheck {
    private static final int EVENT_NAME = 0xB9;
    private static final int TYPE_PREFIX = 0xB6;
    private static final int FIELD_NAME = 0xC0;
    private static final int FIELD_NAME_MAX = 0x1F;
    private static final int PADDING = 0x8F;
    private static final int PADDING32 = 0x8E;
    private static final int I64_ARRAY = 0x8D;
    private static final int UINT8 = 0xA1;
    private static final int UINT16 = 0xA2;
    private static final int UINT32 = 0xA3;
    private static final int INT8 = 0xA4;
    private static final int INT16 = 0xA5;
    private static final int INT32 = 0xA6;
    private static final int INT64 = 0xA7;
    /** Bytes 0 to 0x7F are a small number in themselves. */
    private static final int SMALL_NUMBER_MAX = 0x7F;
    /** The largest index spacing taken for one, with room above Chronicle's roll cycles' (at most 256). */
    private static final long SPACING_MAX = 1 << 20;

    private CycleIndexCheck() {
    }

    /**
     * What the walk found in a cycle file that it did not find damaged.
     *
     * @param metadata  header offsets of its metadata documents, in order (the first is Chronicle's header, at 0).
     * @param positions header offsets of its data documents, in order.
     */
    record Documents(long[] metadata, long[] positions) {
    }

    /**
     * @param bytes     the cycle file, mapped read-only.
     * @param documents what the walk found in it.
     * @param rollCycle the journal's, whose arithmetic encodes the write position's sequence.
     * @return what is wrong with Chronicle's structures, and where, or null if nothing.
     */
    static String damage(final MappedBytes bytes, final Documents documents, final RollCycle rollCycle) {
        try {
            return check(bytes, documents, rollCycle);
        } catch (final Unreadable e) {
            return e.getMessage();
        }
    }

    private static String check(final MappedBytes bytes, final Documents docs, final RollCycle rollCycle) {
        final Doc header = new Doc(bytes, 0);
        header.expect(EVENT_NAME, "header", "Chronicle's header");
        header.expect(TYPE_PREFIX, "SCQStore", "Chronicle's header");
        final long[] writePosition = header.array(header.field("writePosition"), 2);
        final long indexCount = header.number(header.field("indexCount"));
        final long indexSpacing = header.number(header.field("indexSpacing"));
        final long index2Index = header.number(header.field("index2Index"));
        final long nextIndexed = header.number(header.field("lastIndex"));
        if (!powerOfTwo(indexCount, RollCycle.MAX_INDEX_COUNT) || !powerOfTwo(indexSpacing, SPACING_MAX)) {
            return "Chronicle's header gives an index of " + indexCount + " entries every " + indexSpacing
                + " documents";
        }
        final long[] data = docs.positions();
        final int n = data.length;
        final long last = n == 0 ? 0 : data[n - 1];
        if (writePosition[0] != last || !sequenceAgrees(writePosition[1], last, n, rollCycle)) {
            return "Chronicle's header gives the write position " + writePosition[0] + " (0x"
                + Long.toHexString(writePosition[1]) + "), not that of its last document, " + last;
        }
        final long indexed = (n + indexSpacing - 1) / indexSpacing * indexSpacing;
        if (nextIndexed < 0 || nextIndexed > indexed || nextIndexed % indexSpacing != 0) {
            return "Chronicle's header gives " + nextIndexed + " as the next document to index, of " + n;
        }
        if (index2Index == 0) {
            return null;   // no index: Chronicle reads from the start of the cycle
        }
        final long[] arrays = indexArray(bytes, docs, index2Index, "index2index", indexCount);
        long previous = 0;
        for (int i = 0; i < arrays.length; i++) {
            if (arrays[i] == 0) {
                continue;
            }
            if (arrays[i] <= previous) {   // appended in turn, each after the one before
                return "Chronicle's index gives offset " + arrays[i] + " for index array " + i + ", not after the"
                    + " one before it, at " + previous;
            }
            previous = arrays[i];
            final long[] entries = indexArray(bytes, docs, arrays[i], "index", indexCount);
            for (int j = 0; j < entries.length; j++) {
                if (entries[j] != 0) {
                    final long document = (i * indexCount + j) * indexSpacing;
                    if (document >= n || entries[j] != data[(int)document]) {
                        return "Chronicle's index gives offset " + entries[j] + " for document " + document
                            + (document >= n ? ", of " + n : ", which is at offset " + data[(int)document]);
                    }
                }
            }
        }
        return null;
    }

    /**
     * Whether the write position's second value, a position's low bits with that position's sequence, agrees with
     * the last document. Chronicle writes it just after the position itself, and trusts its sequence only where those
     * bits are the write position's ({@code RollCycleEncodeSequence.getSequence}); otherwise it counts the sequence
     * anew from the index. So 0 (not set) and the bits of another position (a writer killed between the two writes
     * leaves the previous document's) are not damage; the last document's bits with another sequence are.
     */
    private static boolean sequenceAgrees(final long value, final long last, final int n, final RollCycle rollCycle) {
        final long sequenceMask = rollCycle.toIndex(1, 0) - 1;
        return value == 0 || (value & ~sequenceMask) != rollCycle.toIndex((int)last, 0)
            || value == rollCycle.toIndex((int)last, Math.max(0, n - 1));
    }

    private static boolean powerOfTwo(final long value, final long max) {
        return value > 0 && value <= max && Long.bitCount(value) == 1;
    }

    /** @return the values of the index array at an offset, which must be a metadata document the walk found. */
    private static long[] indexArray(final MappedBytes bytes, final Documents docs, final long offset,
                                     final String name, final long capacity) {
        if (Arrays.binarySearch(docs.metadata(), offset) <= 0) {   // not the header either
            throw new Unreadable("Chronicle's index gives offset " + offset + " for an " + name + " array, where no "
                + "metadata document starts");
        }
        final Doc doc = new Doc(bytes, offset);
        doc.expect(EVENT_NAME, name, "Chronicle's " + name + " array at offset " + offset);
        return doc.array(doc.skipPadding(), capacity);
    }

    /** A metadata document being read: its bounds, and the offset read next. */
    private static final class Doc {
        private final MappedBytes bytes;
        private final long start;
        private final long end;
        private long at;

        Doc(final MappedBytes bytes, final long header) {
            this.bytes = bytes;
            this.start = header;
            this.end = header + 4 + (bytes.readInt(header) & 0x3FFF_FFFF);
            this.at = header + 4;
        }

        private int readByte() {
            return bytes.readUnsignedByte(bounded(1));
        }

        private long bounded(final int length) {
            if (at + length > end) {
                throw new Unreadable("Chronicle's metadata document at offset " + start + " ends before what it"
                    + " holds");
            }
            final long p = at;
            at += length;
            return p;
        }

        /** Reads a code and a counted text (an event name or a type), which must be the given ones. */
        void expect(final int code, final String text, final String what) {
            if (readByte() != code || !text.equals(text(readByte()))) {
                throw new Unreadable(what + " is not one (at offset " + start + ")");
            }
        }

        private String text(final int length) {
            final byte[] text = new byte[length];
            for (int i = 0; i < length; i++) {
                text[i] = (byte)readByte();
            }
            return new String(text, StandardCharsets.ISO_8859_1);
        }

        /** Moves to the value of a field of the document, wherever it is, and returns its code. */
        int field(final String name) {
            if (name.length() > FIELD_NAME_MAX) {
                throw new IllegalArgumentException(name);
            }
            final byte[] token = ((char)(FIELD_NAME + name.length()) + name).getBytes(StandardCharsets.ISO_8859_1);
            for (long p = start + 4; p + token.length <= end; p++) {
                if (matches(p, token)) {
                    at = p + token.length;
                    return skipPadding();
                }
            }
            throw new Unreadable("Chronicle's header (at offset " + start + ") has no field " + name);
        }

        private boolean matches(final long p, final byte[] token) {
            for (int i = 0; i < token.length; i++) {
                if (bytes.readByte(p + i) != token[i]) {
                    return false;
                }
            }
            return true;
        }

        /** Skips padding and returns the code of the value after it. */
        int skipPadding() {
            while (true) {
                final int code = readByte();
                if (code == PADDING32) {
                    final int length = bytes.readInt(bounded(4));
                    if (length < 0) {
                        throw new Unreadable("Chronicle's metadata document at offset " + start + " has padding of "
                            + length + " bytes");
                    }
                    bounded(length);
                } else if (code != PADDING) {
                    return code;
                }
            }
        }

        long number(final int code) {
            if (code <= SMALL_NUMBER_MAX) {
                return code;
            }
            return switch (code) {
                case UINT8 -> readByte();
                case UINT16 -> bytes.readUnsignedShort(bounded(2));
                case UINT32 -> bytes.readUnsignedInt(bounded(4));
                case INT8 -> bytes.readByte(bounded(1));
                case INT16 -> bytes.readShort(bounded(2));
                case INT32 -> bytes.readInt(bounded(4));
                case INT64 -> bytes.readLong(bounded(8));
                default -> throw new Unreadable("Chronicle's header (at offset " + start + ") holds 0x"
                    + Integer.toHexString(code) + " where a number should be");
            };
        }

        /** Reads an array of 64-bit values of a given capacity, its number used within it. */
        long[] array(final int code, final long capacity) {
            if (code != I64_ARRAY) {
                throw new Unreadable("Chronicle's metadata document at offset " + start + " holds 0x"
                    + Integer.toHexString(code) + " where an array should be");
            }
            final long holds = bytes.readLong(bounded(8));
            final long used = bytes.readLong(bounded(8));
            if (holds != capacity || used < 0 || used > capacity) {
                throw new Unreadable("Chronicle's metadata document at offset " + start + " holds an array of "
                    + holds + " values, " + used + " used, where it should hold " + capacity);
            }
            final long[] values = new long[(int)capacity];
            for (int i = 0; i < values.length; i++) {
                values[i] = bytes.readLong(bounded(8));
            }
            return values;
        }
    }

    /** Chronicle's structures cannot be read as they should be; the message says what and where. */
    private static final class Unreadable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unreadable(final String message) {
            super(message, null, false, false);
        }
    }
}
