package dev.ringmeter.core.watch.alert;

import java.time.Instant;

/**
 * Appends JSON strings, numbers and RFC 3339 times to a {@link StringBuilder}: the one place where notice payloads
 * are escaped (the core has no JSON library; {@code NdjsonBatch} in the client writes bytes into its own buffer).
 * <p>
 * Threading: static methods without state; any thread.
 */
public final class JsonText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {
    }

    /** Appends {@code s} as a JSON string: quote, backslash and control characters escaped. */
    public static StringBuilder string(final StringBuilder out, final String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf])
                            .append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    /** Appends {@code v} as a JSON number, or {@code null} for NaN and the infinities (JSON has no such numbers). */
    static StringBuilder number(final StringBuilder out, final double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return out.append("null");
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return out.append((long)v);
        }
        return out.append(v);
    }

    /** Appends an epoch-ms time as an RFC 3339 UTC string, or {@code null} for {@code ms <= 0}. */
    public static StringBuilder time(final StringBuilder out, final long ms) {
        if (ms <= 0) {
            return out.append("null");
        }
        return string(out, rfc3339(ms));
    }

    /** @return epoch ms as RFC 3339 in UTC, e.g. {@code 2026-11-29T17:09:02.120Z}. */
    static String rfc3339(final long ms) {
        return Instant.ofEpochMilli(ms).toString();
    }
}
