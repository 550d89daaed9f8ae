package dev.ringmeter.core.run;

import java.util.List;
import java.util.Locale;

/**
 * Where a run stands. A run is {@link #RUNNING} from its creation until it is finished as {@link #COMPLETED},
 * {@link #FAILED} or {@link #CANCELLED}; a run still running when its store opens again (the process that recorded
 * it stopped or died) becomes {@link #INTERRUPTED}. Every status but running is final.
 * <p>
 * Threading: an enum; any thread.
 */
public enum RunStatus {
    RUNNING, COMPLETED, FAILED, CANCELLED, INTERRUPTED;

    private static final RunStatus[] VALUES = values();
    private static final List<String> WIRE_NAMES = List.of("running", "completed", "failed", "cancelled",
        "interrupted");
    /** The statuses a caller may finish a run with. */
    public static final List<String> FINISH_NAMES = List.of("completed", "failed", "cancelled");

    /** @return the status's name in the HTTP API and the journal's reader: lower case. */
    public String wireName() {
        return WIRE_NAMES.get(ordinal());
    }

    /** @return whether the run is finished (any status but running). */
    public boolean finished() {
        return this != RUNNING;
    }

    /** @return every status's name, in ordinal order. */
    public static List<String> wireNames() {
        return WIRE_NAMES;
    }

    /**
     * @param ordinal as {@link #ordinal()} returns it.
     * @return the status.
     */
    public static RunStatus of(final int ordinal) {
        return VALUES[ordinal];
    }

    /**
     * @param field naming where the text came from, for the error.
     * @param text  a status name, any case.
     * @return the status.
     * @throws RunException (invalid) naming the field, if the text names no status.
     */
    public static RunStatus parse(final String field, final String text) {
        if (text != null) {
            final String lower = text.toLowerCase(Locale.ROOT);
            for (final RunStatus s : VALUES) {
                if (s.wireName().equals(lower)) {
                    return s;
                }
            }
        }
        throw RunException.invalid(field, "must be one of " + String.join(", ", WIRE_NAMES) + " but was '" + text
            + "'");
    }
}
