package dev.ringmeter.core.report;

import java.util.Locale;

/**
 * The formats a {@link Report} renders to, both from the same {@link ReportDocument}: Markdown (GitHub tables; the
 * charts left out) and self-contained HTML (well-formed XHTML: inline CSS, inline SVG charts, every value escaped, no
 * script and nothing fetched from the network).
 * <p>
 * Threading: stateless; any thread.
 */
public enum ReportFormat {
    /** Markdown. */
    MARKDOWN("md", "text/markdown; charset=utf-8"),
    /** HTML with inline SVG. */
    HTML("html", "text/html; charset=utf-8");

    private static final String CSS = "body{font-family:sans-serif;margin:2em;color:#222}"
        + "table{border-collapse:collapse;margin:0.5em 0}th,td{border:1px solid #ccc;padding:2px 8px;"
        + "text-align:right}th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}"
        + "svg{display:block;margin:0.5em 0}svg text{font-size:11px}svg .t{font-size:12px;font-weight:bold}";

    private final String extension;
    private final String contentType;

    ReportFormat(final String extension, final String contentType) {
        this.extension = extension;
        this.contentType = contentType;
    }

    /** @return the file extension and the name in the APIs: md or html. */
    public String extension() {
        return extension;
    }

    /** @return the HTTP content type. */
    public String contentType() {
        return contentType;
    }

    /**
     * @param name md or html.
     * @return the format.
     * @throws IllegalArgumentException naming the valid ones.
     */
    public static ReportFormat parse(final String name) {
        for (final ReportFormat f : values()) {
            if (f.extension.equals(name.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("format must be md or html but was '" + name + "'");
    }

    /**
     * @param report the report.
     * @return it in this format.
     */
    public String render(final Report report) {
        return render(ReportDocument.of(report));
    }

    /**
     * @param doc a document laid out as blocks.
     * @return it in this format.
     */
    public String render(final ReportDocument doc) {
        return this == MARKDOWN ? markdown(doc) : html(doc);
    }

    private static String markdown(final ReportDocument doc) {
        final StringBuilder out = new StringBuilder(4096).append("# ").append(md(doc.title())).append("\n\n");
        for (final ReportDocument.Block b : doc.blocks()) {
            if (b instanceof ReportDocument.Heading h) {
                out.append("## ").append(md(h.text())).append("\n\n");
            } else if (b instanceof ReportDocument.Paragraph p) {
                out.append(md(p.text())).append("\n\n");
            } else if (b instanceof ReportDocument.Table t) {
                row(out, t.headers());
                out.append('|');
                for (int i = 0; i < t.headers().size(); i++) {
                    out.append(i == 0 ? " --- |" : " ---: |");
                }
                out.append('\n');
                for (final java.util.List<String> r : t.rows()) {
                    row(out, r);
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static void row(final StringBuilder out, final java.util.List<String> cells) {
        out.append('|');
        for (final String c : cells) {
            out.append(' ').append(md(c)).append(" |");
        }
        out.append('\n');
    }

    /** @return the text with Markdown's special characters escaped and line breaks as spaces. */
    private static String md(final String text) {
        final StringBuilder b = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if ("\\`*_[]<>|#".indexOf(c) >= 0) {
                b.append('\\').append(c);
            } else if (c == '\n' || c == '\r') {
                b.append(' ');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static String html(final ReportDocument doc) {
        final StringBuilder out = new StringBuilder(16384).append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/"
            + "1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/><title>").append(Html.escape(doc.title()))
            .append("</title><style>").append(CSS).append("</style></head><body><h1>")
            .append(Html.escape(doc.title())).append("</h1>\n");
        for (final ReportDocument.Block b : doc.blocks()) {
            if (b instanceof ReportDocument.Heading h) {
                out.append("<h2>").append(Html.escape(h.text())).append("</h2>\n");
            } else if (b instanceof ReportDocument.Paragraph p) {
                out.append("<p>").append(Html.escape(p.text())).append("</p>\n");
            } else if (b instanceof ReportDocument.Table t) {
                out.append("<table><tr>");
                for (final String c : t.headers()) {
                    out.append("<th>").append(Html.escape(c)).append("</th>");
                }
                out.append("</tr>");
                for (final java.util.List<String> r : t.rows()) {
                    out.append("<tr>");
                    for (final String c : r) {
                        out.append("<td>").append(Html.escape(c)).append("</td>");
                    }
                    out.append("</tr>");
                }
                out.append("</table>\n");
            } else if (b instanceof ReportDocument.Chart c) {
                SvgChart.draw(c, out);
                out.append('\n');
            }
        }
        return out.append("</body></html>\n").toString();
    }
}
