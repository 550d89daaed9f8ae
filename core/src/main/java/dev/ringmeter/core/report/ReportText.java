package dev.ringmeter.core.report;

import dev.ringmeter.core.decide.Comparison;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * How a report writes its values, the same in every format: times in UTC ISO-8601, milliseconds with one decimal,
 * rates as percentages, dollars with four decimals, a missing value (NaN) as an em dash, a verdict with its
 * difference.
 * <p>
 * Threading: stateless; any thread.
 */
final class ReportText {
    /** What a missing value reads as. */
    static final String NONE = "\u2014";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
        .withZone(ZoneOffset.UTC);

    private ReportText() {
    }

    static String time(final long ms) {
        return TIME.format(Instant.ofEpochMilli(ms));
    }

    static String ms(final double v) {
        return Double.isNaN(v) ? NONE : String.format(Locale.ROOT, "%.1f", v);
    }

    static String percent(final double v) {
        return Double.isNaN(v) ? NONE : String.format(Locale.ROOT, "%.2f%%", v * 100);
    }

    static String usd(final double v) {
        return Double.isNaN(v) ? NONE : String.format(Locale.ROOT, "$%.4f", v);
    }

    static String number(final double v) {
        return Double.isNaN(v) ? NONE : String.format(Locale.ROOT, "%.3f", v);
    }

    /** @return e.g. "better (+12.0 ms, -15.3%)" or "insufficient data (A: 3 events, needs 10)". */
    static String verdict(final Comparison c, final boolean millis) {
        if (c == null) {
            return NONE;
        }
        final String name = c.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        if (c.reason() != null) {
            return name + " (" + c.reason() + ")";
        }
        final String diff = millis ? String.format(Locale.ROOT, "%+.1f ms", c.difference())
            : String.format(Locale.ROOT, "%+.2f pp", c.difference() * 100);
        return Double.isNaN(c.relativePercent()) ? name + " (" + diff + ")"
            : name + " (" + diff + String.format(Locale.ROOT, ", %+.1f%%", c.relativePercent()) + ")";
    }

    /** @return the period, e.g. "2026-01-01T00:00:00Z to 2026-01-02T00:00:00Z". */
    static String period(final Report r) {
        return time(r.fromMs()) + " to " + time(r.toMs());
    }
}
