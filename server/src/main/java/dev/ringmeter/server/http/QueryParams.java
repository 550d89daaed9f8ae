package dev.ringmeter.server.http;

import io.javalin.http.Context;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The query parameters of one GET request, checked: only the route's own names, each at most once; durations in
 * the grammar {@code <n>s|m|h|d}; times as ISO-8601 instants or epoch milliseconds; bounded whole numbers. Every
 * refusal is a 400 naming the parameter.
 * <p>
 * Threading: one request's thread.
 */
public final class QueryParams {
    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,8})([smhd])");
    private static final Pattern EPOCH_MS = Pattern.compile("[0-9]{1,15}");

    private final Map<String, List<String>> params;

    private QueryParams(final Map<String, List<String>> params) {
        this.params = params;
    }

    /**
     * @param ctx     the request.
     * @param allowed the parameter names the route accepts.
     * @return the parameters.
     * @throws ApiException 400 for an unknown or repeated parameter, listing the valid ones.
     */
    public static QueryParams of(final Context ctx, final String... allowed) {
        return of(ctx, List.of(), allowed);
    }

    /**
     * @param ctx        the request.
     * @param repeatable the allowed parameters that may be given more than once (read with {@link #all}).
     * @param allowed    the parameter names the route accepts.
     * @return the parameters.
     * @throws ApiException 400 for an unknown parameter, or one repeated that may not be, listing the valid ones.
     */
    public static QueryParams of(final Context ctx, final List<String> repeatable, final String... allowed) {
        final Map<String, List<String>> params = ctx.queryParamMap();
        final List<String> valid = Arrays.asList(allowed);
        for (final Map.Entry<String, List<String>> e : params.entrySet()) {
            if (!valid.contains(e.getKey())) {
                throw ApiException.badParameter(e.getKey(), "unknown parameter '" + e.getKey() + "'; valid: "
                    + String.join(", ", valid), valid);
            }
            if (e.getValue().size() > 1 && !repeatable.contains(e.getKey())) {
                throw ApiException.badParameter(e.getKey(), "parameter '" + e.getKey() + "' is given more than once");
            }
        }
        return new QueryParams(params);
    }

    /** @return every value of a repeatable parameter, in order; empty if absent. */
    public List<String> all(final String name) {
        final List<String> values = params.get(name);
        return values == null ? List.of() : values;
    }

    /** @return the value, or null if absent (an empty value counts as absent). */
    public String get(final String name) {
        final List<String> values = params.get(name);
        if (values == null || values.isEmpty() || values.get(0).isEmpty()) {
            return null;
        }
        return values.get(0);
    }

    /**
     * @return a whole number within bounds, or the default when absent.
     */
    public int integer(final String name, final int defaultValue, final int min, final int max) {
        final String v = get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            final int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (final NumberFormatException e) {
            // fall through to the refusal
        }
        throw ApiException.badParameter(name, name + " must be a whole number from " + min + " to " + max
            + " but was '" + v + "'");
    }

    /**
     * @return a finite decimal number, or the default when absent; its range is for the caller to check.
     */
    public double decimal(final String name, final double defaultValue) {
        final String v = get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            final double x = Double.parseDouble(v);
            if (Double.isFinite(x)) {
                return x;
            }
        } catch (final NumberFormatException e) {
            // fall through to the refusal
        }
        throw ApiException.badParameter(name, name + " must be a decimal number but was '" + v + "'");
    }

    /**
     * @param value a duration such as {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d}.
     * @param name  of the parameter, for the refusal.
     * @return milliseconds.
     */
    public static long durationMs(final String value, final String name) {
        final Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            throw ApiException.badParameter(name, name + " must be <n>s, <n>m, <n>h or <n>d (e.g. 5m) but was '"
                + value + "'");
        }
        final long n = Long.parseLong(m.group(1));
        switch (m.group(2).charAt(0)) {
            case 's':
                return n * 1_000L;
            case 'm':
                return n * 60_000L;
            case 'h':
                return n * 3_600_000L;
            default:
                return n * 86_400_000L;
        }
    }

    /**
     * @param value an ISO-8601 instant or epoch milliseconds.
     * @param name  of the parameter, for the refusal.
     * @return epoch milliseconds.
     */
    public static long instantMs(final String value, final String name) {
        if (EPOCH_MS.matcher(value).matches()) {
            return Long.parseLong(value);
        }
        try {
            return Instant.parse(value).toEpochMilli();
        } catch (final DateTimeParseException | ArithmeticException e) {
            throw ApiException.badParameter(name, name + " must be an ISO-8601 instant (2025-01-01T12:00:00Z) or "
                + "epoch milliseconds but was '" + value + "'");
        }
    }

    /**
     * The time range of a query: {@code window} back from now (or from {@code to}), or {@code from} and
     * {@code to}; {@code to} defaults to now and is exclusive.
     *
     * @param nowMs           the current time.
     * @param retentionMs     the longest span allowed.
     * @param defaultWindowMs the window when none is given.
     * @return {from, to} in epoch ms.
     */
    public long[] range(final long nowMs, final long retentionMs, final long defaultWindowMs) {
        final String window = get("window");
        final String from = get("from");
        final String to = get("to");
        if (window != null && from != null) {
            throw ApiException.badParameter("window", "give either window or from (with an optional to), not both");
        }
        final long toMs = to == null ? nowMs + 1 : instantMs(to, "to");
        final long fromMs;
        if (from != null) {
            fromMs = instantMs(from, "from");
            if (toMs <= fromMs) {
                throw ApiException.badParameter("to", "to must be later than from");
            }
            if (toMs - fromMs > retentionMs) {
                throw ApiException.badParameter("from", "from..to spans " + (toMs - fromMs) + " ms; at most the "
                    + "retention of " + retentionMs + " ms (" + retentionMs / 3_600_000 + "h)");
            }
        } else {
            final long windowMs = window == null ? defaultWindowMs : durationMs(window, "window");
            if (windowMs > retentionMs) {
                throw ApiException.badParameter("window", "window must be at most the retention of "
                    + retentionMs / 3_600_000 + "h but was '" + window + "'");
            }
            fromMs = toMs - windowMs;
        }
        return new long[] {fromMs, toMs};
    }
}
