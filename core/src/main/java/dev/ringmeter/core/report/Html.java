package dev.ringmeter.core.report;

/**
 * Escapes text for HTML and XML content and attribute values: {@code & < > " '}.
 * <p>
 * Threading: stateless; any thread.
 */
final class Html {
    private Html() {
    }

    static String escape(final String text) {
        final StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
