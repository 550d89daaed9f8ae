package dev.ringmeter.server.ingest;

import com.fasterxml.jackson.core.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The string values of ingest batches, kept as Strings so that a value seen before is read without making a new one:
 * the parser's characters (escapes already decoded, any Unicode) are hashed and compared in place, and the String
 * made the first time is returned again. A batch of a few models, operations and statuses then allocates no String
 * per field, and the store's dictionary finds each value by a String whose hash is already computed (for a
 * dimension kept for the store's life, the very String it registered). The String returned is always equal to the parser's text.
 * <p>
 * Memory: direct-mapped, {@value #SLOTS} slots, each holding at most one String of at most {@value #MAX_CHARS}
 * characters (a longer value is not kept), so at most about 256 × (48 + 2 × 64) bytes, 45 KB, per cache; one per
 * {@link IngestBatch}, so one per write permit. A slot is overwritten by the next value that maps to it.
 * <p>
 * Threading: one thread at a time, as its {@link IngestBatch} is owned.
 */
final class TextCache {
    /** Slots; a power of two. */
    static final int SLOTS = 256;
    /** The longest value kept, in chars. */
    static final int MAX_CHARS = 64;

    private final String[] strings = new String[SLOTS];
    private final int[] hashes = new int[SLOTS];

    /**
     * @param p a parser on a VALUE_STRING token.
     * @return its text, the String made when the same text was last seen if it is still in its slot.
     * @throws IOException from the parser.
     */
    String text(final JsonParser p) throws IOException {
        final int length = p.getTextLength();
        if (length > MAX_CHARS) {
            return p.getText();
        }
        return text(p.getTextCharacters(), p.getTextOffset(), length);
    }

    /**
     * @param chars  holds the text.
     * @param offset of its first char.
     * @param length of the text, at most {@value #MAX_CHARS}.
     * @return the text as a String, the one made before if it is still in its slot.
     */
    String text(final char[] chars, final int offset, final int length) {
        int hash = 0;
        for (int i = offset; i < offset + length; i++) {
            hash = 31 * hash + chars[i];   // String.hashCode's, so the String's own is the same
        }
        final int slot = (hash ^ hash >>> 16) & (SLOTS - 1);
        final String cached = strings[slot];
        if (cached != null && hashes[slot] == hash && same(cached, chars, offset, length)) {
            return cached;
        }
        final String made = new String(chars, offset, length);
        strings[slot] = made;
        hashes[slot] = hash;
        return made;
    }

    /**
     * As {@link #text(char[], int, int)}, for text in ASCII bytes (each byte below 0x80, its char's value).
     *
     * @param bytes  holds the text.
     * @param offset of its first byte.
     * @param length of the text.
     * @return the text as a String, the one made before if it is still in its slot.
     */
    String ascii(final byte[] bytes, final int offset, final int length) {
        if (length > MAX_CHARS) {
            return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
        }
        int hash = 0;
        for (int i = offset; i < offset + length; i++) {
            hash = 31 * hash + bytes[i];   // an ASCII byte is its char: String.hashCode's again
        }
        final int slot = (hash ^ hash >>> 16) & (SLOTS - 1);
        final String cached = strings[slot];
        if (cached != null && hashes[slot] == hash && same(cached, bytes, offset, length)) {
            return cached;
        }
        final String made = new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
        strings[slot] = made;
        hashes[slot] = hash;
        return made;
    }

    private static boolean same(final String s, final byte[] bytes, final int offset, final int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) != bytes[offset + i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean same(final String s, final char[] chars, final int offset, final int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) != chars[offset + i]) {
                return false;
            }
        }
        return true;
    }
}
