package dev.ringmeter.core.watch.alert;

import java.util.Locale;

/**
 * How bad a firing alert is: a rule has a warning threshold, a critical one, or both, and fires at the worse one
 * it crosses. The lower-case name ({@link #label()}) is what payloads and the HTTP API carry.
 * <p>
 * Threading: an enum; any thread.
 */
public enum Severity {
    /** The warning threshold is crossed. */
    WARNING,
    /** The critical threshold is crossed. */
    CRITICAL;

    /** @return the name in payloads and the API: {@code warning}, {@code critical}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param label {@code warning} or {@code critical}, any case.
     * @return the severity.
     * @throws IllegalArgumentException naming the accepted values.
     */
    public static Severity of(final String label) {
        for (final Severity s : values()) {
            if (s.name().equalsIgnoreCase(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException("severity must be warning or critical: " + label);
    }
}
