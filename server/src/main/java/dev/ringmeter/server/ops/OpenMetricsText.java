package dev.ringmeter.server.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * OpenMetrics 1.0.0 for a scraper that asks for it: which format an {@code Accept} header chooses
 * ({@link #preferred}), and the OpenMetrics text of an exposition written in the Prometheus text format 0.0.4
 * ({@link #of}). The two differ, for what this server writes, in three things: a counter's family is named without
 * its {@code _total} suffix (its samples keep it), a family named {@code *_seconds} or {@code *_bytes} has a
 * {@code # UNIT} line, and the text ends with {@code # EOF}.
 * <p>
 * Threading: stateless; any thread.
 */
final class OpenMetricsText {
    static final String CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String MEDIA_TYPE = "application/openmetrics-text";
    private static final String TOTAL = "_total";

    private OpenMetricsText() {
    }

    /**
     * @param accept the request's Accept header, or null.
     * @return whether it prefers OpenMetrics 1.0.0 (or an unversioned OpenMetrics) to the 0.0.4 text: its quality
     * is above 0 and at least that of {@code text/plain} (or of a wildcard, when text/plain is not named).
     */
    static boolean preferred(final String accept) {
        if (accept == null) {
            return false;
        }
        double openMetrics = 0;
        double text = -1;
        double wildcard = 0;
        for (final String range : accept.split(",")) {
            final String[] parts = range.split(";");
            final String type = parts[0].trim().toLowerCase(Locale.ROOT);
            double q = 1;
            String version = null;
            for (int i = 1; i < parts.length; i++) {
                final String p = parts[i].trim().toLowerCase(Locale.ROOT);
                if (p.startsWith("q=")) {
                    q = quality(p.substring(2));
                } else if (p.startsWith("version=")) {
                    version = p.substring("version=".length());
                }
            }
            if (type.equals(MEDIA_TYPE) && (version == null || version.equals("1.0.0"))) {
                openMetrics = Math.max(openMetrics, q);
            } else if (type.equals("text/plain")) {
                text = Math.max(text, q);
            } else if (type.equals("*/*") || type.equals("text/*")) {
                wildcard = Math.max(wildcard, q);
            }
        }
        return openMetrics > 0 && openMetrics >= (text >= 0 ? text : wildcard);
    }

    private static double quality(final String q) {
        try {
            final double v = Double.parseDouble(q);
            return v >= 0 && v <= 1 ? v : 0;
        } catch (final NumberFormatException e) {
            return 0;
        }
    }

    /** What ends an OpenMetrics exposition, after its last family. */
    static final String EOF = "# EOF\n";

    /**
     * @param text an exposition in the 0.0.4 text format, each family's HELP line (if any) just before its TYPE line.
     * @return the same families and samples in OpenMetrics 1.0.0 text.
     */
    static String of(final String text) {
        final StringBuilder b = new StringBuilder(text.length() + text.length() / 16 + 8);
        try {
            write(text, b);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);   // a StringBuilder does not throw
        }
        return b.append(EOF).toString();
    }

    /**
     * Writes whole families of an exposition as OpenMetrics, without the {@link #EOF} that ends the whole: an
     * exposition made of several parts is written part by part, then {@link #EOF}.
     *
     * @param text whole families in the 0.0.4 text format, each family's HELP line (if any) just before its TYPE line.
     * @param b    where the same families and samples go, in OpenMetrics 1.0.0 text.
     * @throws IOException if {@code b} does.
     */
    static void write(final String text, final Appendable b) throws IOException {
        String help = null;
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            final String line = text.substring(start, end);
            start = end + 1;
            if (line.startsWith("# HELP ")) {
                help = line;
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                final int space = line.indexOf(' ', "# TYPE ".length());
                final String name = line.substring("# TYPE ".length(), space);
                final String type = line.substring(space + 1);
                final String family = type.equals("counter") && name.endsWith(TOTAL)
                    ? name.substring(0, name.length() - TOTAL.length()) : name;
                if (help != null) {
                    b.append("# HELP ").append(family).append(' ');
                    escapeHelp(b, help.substring("# HELP ".length() + name.length() + 1));
                    b.append('\n');
                    help = null;
                }
                b.append("# TYPE ").append(family).append(' ').append(type).append('\n');
                final String unit = unit(family);
                if (unit != null) {
                    b.append("# UNIT ").append(family).append(' ').append(unit).append('\n');
                }
                continue;
            }
            if (!line.isEmpty()) {
                b.append(line).append('\n');
            }
        }
    }

    private static String unit(final String family) {
        if (family.endsWith("_seconds")) {
            return "seconds";
        }
        return family.endsWith("_bytes") ? "bytes" : null;
    }

    /** HELP text of the 0.0.4 format escapes \ and line feeds; OpenMetrics escapes the double quote too. */
    private static void escapeHelp(final Appendable b, final String help) throws IOException {
        for (int i = 0; i < help.length(); i++) {
            final char c = help.charAt(i);
            if (c == '"') {
                b.append("\\\"");
            } else {
                b.append(c);
            }
        }
    }
}
