package dev.ringmeter.core.watch.alert;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An alert rule: over the last {@link #windowMs()} of its scope, its metric is compared with a warning and/or a
 * critical threshold; once the comparison holds for {@link #forMs()} the rule fires at the worse severity crossed,
 * and notices go to its targets. Checked here, once, for the embedded API and the HTTP API alike: every refusal
 * names its field.
 * <p>
 * Threading: an immutable value; any thread.
 *
 * @param id         1 to 64 of {@code [A-Za-z0-9._-]}.
 * @param name       for a person, 1 to {@link #MAX_NAME_LENGTH} chars.
 * @param scope      what it watches.
 * @param metric     what it compares.
 * @param windowMs   the trailing window the metric is computed over, {@link #MIN_WINDOW_MS} to
 *                   {@link #MAX_WINDOW_MS}.
 * @param comparator how the value is compared with the thresholds.
 * @param warning    the warning threshold, or NaN for none.
 * @param critical   the critical threshold, or NaN for none; at least one of the two; when both, critical is beyond
 *                   warning in the comparator's direction.
 * @param forMs      how long the comparison must hold before the rule fires, 0 to {@link #MAX_WINDOW_MS}.
 * @param minEvents  fewer events than this in the window is "no data", at least 1.
 * @param targets    where notices go, at most {@link #MAX_TARGETS} (none: recorded in the history only).
 * @param labels     extra labels of its notices, at most {@link #MAX_LABELS}.
 * @param summary    the notices' summary, or empty for the default one.
 */
public record AlertRule(String id, String name, AlertScope scope, AlertMetric metric, long windowMs,
                        Comparator comparator, double warning, double critical, long forMs, long minEvents,
                        List<Target> targets, Map<String, String> labels, String summary) {
    /** What an id is made of. */
    public static final Pattern ID_PATTERN = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** The longest name, summary part of a label, chars. */
    public static final int MAX_NAME_LENGTH = 256;
    /** The longest summary, chars. */
    public static final int MAX_SUMMARY_LENGTH = 1_024;
    /** The most targets of a rule. */
    public static final int MAX_TARGETS = 8;
    /** The most extra labels of a rule. */
    public static final int MAX_LABELS = 16;
    /** The shortest window: one minute. */
    public static final long MIN_WINDOW_MS = 60_000;
    /** The longest window, and the longest {@code for}: 24 hours. */
    public static final long MAX_WINDOW_MS = 24 * 3_600_000L;

    /** How a value is compared with a threshold. */
    public enum Comparator {
        GT(">"), GE(">="), LT("<"), LE("<=");

        private final String symbol;

        Comparator(final String symbol) {
            this.symbol = symbol;
        }

        /** @return {@code >}, {@code >=}, {@code <} or {@code <=}. */
        public String symbol() {
            return symbol;
        }

        /** @return whether value compared with threshold holds; false for a NaN value or threshold. */
        public boolean holds(final double value, final double threshold) {
            switch (this) {
                case GT:
                    return value > threshold;
                case GE:
                    return value >= threshold;
                case LT:
                    return value < threshold;
                default:
                    return value <= threshold;
            }
        }

        /** @return whether it fires on values above its threshold. */
        public boolean upward() {
            return this == GT || this == GE;
        }

        /**
         * @param symbol {@code >}, {@code >=}, {@code <} or {@code <=}.
         * @return the comparator.
         * @throws IllegalArgumentException naming the field.
         */
        public static Comparator of(final String symbol) {
            for (final Comparator c : values()) {
                if (c.symbol.equals(symbol)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("comparator must be >, >=, < or <=: " + symbol);
        }
    }

    /** @throws IllegalArgumentException naming the field. */
    public AlertRule {
        checkId(id, "id");
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("name is required, 1 to " + MAX_NAME_LENGTH + " chars");
        }
        Objects.requireNonNull(scope, "scope");
        if (metric == null) {
            throw new IllegalArgumentException("metric is required");
        }
        if (comparator == null) {
            throw new IllegalArgumentException("comparator is required: >, >=, < or <=");
        }
        if (windowMs < MIN_WINDOW_MS || windowMs > MAX_WINDOW_MS) {
            throw new IllegalArgumentException("window must be 1m to 24h");
        }
        if (forMs < 0 || forMs > MAX_WINDOW_MS) {
            throw new IllegalArgumentException("for must be 0 to 24h");
        }
        if (minEvents < 1) {
            throw new IllegalArgumentException("minEvents must be at least 1");
        }
        if (Double.isNaN(warning) && Double.isNaN(critical)) {
            throw new IllegalArgumentException("warning or critical: at least one threshold is required");
        }
        if (Double.isInfinite(warning) || Double.isInfinite(critical)) {
            throw new IllegalArgumentException("warning and critical must be finite");
        }
        if (!Double.isNaN(warning) && !Double.isNaN(critical) && !comparator.holds(critical, warning)
            && critical != warning) {
            throw new IllegalArgumentException("critical must be beyond warning in the comparator's direction ("
                + "critical " + comparator.symbol() + " warning)");
        }
        if (metric.anomaly() && (!comparator.upward() || scope.kind() != AlertScope.Kind.SUBJECT)) {
            throw new IllegalArgumentException("metric: an anomaly rule compares the anomaly's score with > or >=, "
                + "on a model, pipeline, step, tool or agent scope");
        }
        if (targets == null) {
            targets = List.of();
        }
        if (targets.size() > MAX_TARGETS) {
            throw new IllegalArgumentException("targets: at most " + MAX_TARGETS);
        }
        targets = List.copyOf(targets);
        labels = labels == null ? Map.of() : labels;
        if (labels.size() > MAX_LABELS) {
            throw new IllegalArgumentException("labels: at most " + MAX_LABELS);
        }
        checkLabels(labels, "labels");
        labels = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(labels));
        summary = summary == null ? "" : summary;
        if (summary.length() > MAX_SUMMARY_LENGTH) {
            throw new IllegalArgumentException("summary is longer than " + MAX_SUMMARY_LENGTH + " chars");
        }
    }

    /**
     * @param value the rule's metric now.
     * @return the worse severity whose threshold the value crosses, or null for none.
     */
    public Severity severityOf(final double value) {
        if (comparator.holds(value, critical)) {
            return Severity.CRITICAL;
        }
        return comparator.holds(value, warning) ? Severity.WARNING : null;
    }

    /** @return the threshold of a severity. */
    public double threshold(final Severity severity) {
        return severity == Severity.CRITICAL ? critical : warning;
    }

    static void checkId(final String id, final String field) {
        if (id == null || !ID_PATTERN.matcher(id).matches()) {
            throw new IllegalArgumentException(field + " must be 1 to 64 of A-Z a-z 0-9 . _ -: " + id);
        }
    }

    static void checkLabels(final Map<String, String> labels, final String field) {
        for (final Map.Entry<String, String> l : labels.entrySet()) {
            if (l.getKey() == null || !l.getKey().matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) {
                throw new IllegalArgumentException(field + ": a label name must match [A-Za-z_][A-Za-z0-9_]{0,63}: "
                    + l.getKey());
            }
            if (l.getValue() == null || l.getValue().length() > MAX_NAME_LENGTH) {
                throw new IllegalArgumentException(field + ": the value of " + l.getKey() + " must be 0 to "
                    + MAX_NAME_LENGTH + " chars");
            }
        }
    }
}
