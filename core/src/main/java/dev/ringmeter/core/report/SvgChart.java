package dev.ringmeter.core.report;

import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link ReportDocument.Chart} as inline SVG: a line chart draws each series as one {@code polyline} with a
 * point per step that has a value (a step without one, NaN, is left out), a bar chart one {@code rect} per bar.
 * Both have axes, the highest value on the y axis and a legend; text is escaped. No script, no external resource.
 * <p>
 * Threading: stateless; any thread.
 */
final class SvgChart {
    static final int WIDTH = 640;
    static final int HEIGHT = 220;
    private static final int LEFT = 60;
    private static final int RIGHT = 10;
    private static final int TOP = 24;
    private static final int BOTTOM = 30;
    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#d62728", "#2ca02c", "#9467bd"};

    private SvgChart() {
    }

    static void draw(final ReportDocument.Chart chart, final StringBuilder out) {
        final double max = max(chart.series());
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
            .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
            .append("\" role=\"img\"><title>").append(Html.escape(chart.title())).append("</title>");
        out.append("<text x=\"").append(LEFT).append("\" y=\"14\" class=\"t\">").append(Html.escape(chart.title()))
            .append(" (").append(Html.escape(chart.unit())).append(")</text>");
        final int x0 = LEFT;
        final int y0 = HEIGHT - BOTTOM;
        final int w = WIDTH - LEFT - RIGHT;
        final int h = HEIGHT - TOP - BOTTOM;
        out.append("<line x1=\"").append(x0).append("\" y1=\"").append(y0).append("\" x2=\"").append(x0 + w)
            .append("\" y2=\"").append(y0).append("\" stroke=\"#333\"/>");
        out.append("<line x1=\"").append(x0).append("\" y1=\"").append(y0).append("\" x2=\"").append(x0)
            .append("\" y2=\"").append(TOP).append("\" stroke=\"#333\"/>");
        out.append("<text x=\"").append(x0 - 4).append("\" y=\"").append(TOP + 4).append("\" text-anchor=\"end\">")
            .append(Html.escape(ReportText.number(max))).append("</text>");
        out.append("<text x=\"").append(x0 - 4).append("\" y=\"").append(y0).append("\" text-anchor=\"end\">0</text>");
        final double scale = max > 0 ? h / max : 0;
        if (chart.bars()) {
            final double[] v = chart.series().get(0);
            final double slot = (double)w / Math.max(1, v.length);
            for (int i = 0; i < v.length; i++) {
                final double bh = Double.isNaN(v[i]) ? 0 : v[i] * scale;
                out.append("<rect x=\"").append(fmt(x0 + i * slot + slot * 0.1)).append("\" y=\"")
                    .append(fmt(y0 - bh)).append("\" width=\"").append(fmt(slot * 0.8)).append("\" height=\"")
                    .append(fmt(bh)).append("\" fill=\"").append(COLOURS[0]).append("\"><title>")
                    .append(Html.escape(chart.labels().get(i) + ": " + ReportText.usd(v[i])))
                    .append("</title></rect>");
                out.append("<text x=\"").append(fmt(x0 + i * slot + slot / 2)).append("\" y=\"").append(y0 + 14)
                    .append("\" text-anchor=\"middle\">").append(Html.escape(chart.labels().get(i))).append("</text>");
            }
        } else {
            for (int s = 0; s < chart.series().size(); s++) {
                final double[] v = chart.series().get(s);
                final double dx = v.length > 1 ? (double)w / (v.length - 1) : 0;
                final String colour = COLOURS[s % COLOURS.length];
                out.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"1.5\" "
                    + "class=\"series\" data-series=\"").append(Html.escape(chart.labels().get(s)))
                    .append("\" points=\"");
                boolean first = true;
                for (int i = 0; i < v.length; i++) {
                    if (!Double.isNaN(v[i])) {
                        out.append(first ? "" : " ").append(fmt(x0 + i * dx)).append(',').append(fmt(y0 - v[i] * scale));
                        first = false;
                    }
                }
                out.append("\"/>");
                out.append("<text x=\"").append(x0 + 8 + s * 90).append("\" y=\"").append(HEIGHT - 6)
                    .append("\" fill=\"").append(colour).append("\">").append(Html.escape(chart.labels().get(s)))
                    .append("</text>");
            }
        }
        out.append("</svg>");
    }

    private static double max(final List<double[]> series) {
        double max = 0;
        for (final double[] v : series) {
            for (final double x : v) {
                if (x > max) {
                    max = x;
                }
            }
        }
        return max;
    }

    private static String fmt(final double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
