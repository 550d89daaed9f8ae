package dev.ringmeter.core.watch.alert;

import java.util.Locale;

/**
 * Where a notice goes, and so the shape of its payload.
 * <p>
 * Threading: an enum; any thread.
 */
public enum TargetKind {
    /** A generic JSON payload posted to any URL. */
    WEBHOOK,
    /** A Slack incoming webhook's payload ({@code text} and {@code blocks}). */
    SLACK,
    /** A Prometheus Alertmanager: the URL is its base, alerts go to {@code /api/v2/alerts}. */
    ALERTMANAGER;

    /** @return the name in the API: {@code webhook}, {@code slack}, {@code alertmanager}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param label the name in the API, any case.
     * @return the kind.
     * @throws IllegalArgumentException naming the accepted values.
     */
    public static TargetKind of(final String label) {
        for (final TargetKind k : values()) {
            if (k.name().equalsIgnoreCase(label)) {
                return k;
            }
        }
        throw new IllegalArgumentException("type must be webhook, slack or alertmanager: " + label);
    }
}
