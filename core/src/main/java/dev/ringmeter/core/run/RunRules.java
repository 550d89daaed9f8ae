package dev.ringmeter.core.run;

import java.util.List;
import java.util.Map;

/**
 * The rules a run's values must meet, written once: the embedded API and the HTTP API apply them before a command
 * goes into the ring, and the journal's layout sizes its longest RUN record from them.
 * <ul>
 * <li>id: 1 to the store's longest string (it is also the value of the event field {@code run}), no control
 * characters;</li>
 * <li>name: 1 to {@value #MAX_NAME_CHARS} characters;</li>
 * <li>parameters: at most {@value #MAX_PARAMETERS}, each a name of 1 to {@value #MAX_KEY_CHARS} characters and a
 * value that is a whole number (long), a finite number (double), a string of at most {@value #MAX_VALUE_CHARS}
 * characters or a boolean;</li>
 * <li>tags: at most {@value #MAX_TAGS}, each 1 to {@value #MAX_KEY_CHARS} characters, no duplicates;</li>
 * <li>expected task count: 0 to {@value #MAX_EXPECTED_TASKS};</li>
 * <li>reason: at most {@value #MAX_REASON_CHARS} characters;</li>
 * <li>the name, parameters and tags of one command together take at most {@value #MAX_VALUES_BYTES} bytes less a
 * reason's most in the journal (three bytes a character, five a string's length, nine a number), so that a RUN
 * record fits a journal document whatever the block size the store accepts.</li>
 * </ul>
 * <p>
 * Threading: stateless; any thread.
 */
public final class RunRules {
    public static final int MAX_NAME_CHARS = 256;
    public static final int MAX_PARAMETERS = 32;
    public static final int MAX_KEY_CHARS = 64;
    public static final int MAX_VALUE_CHARS = 256;
    public static final int MAX_TAGS = 16;
    public static final int MAX_REASON_CHARS = 1_024;
    public static final long MAX_EXPECTED_TASKS = 1_000_000_000_000L;
    /** The most bytes a RUN record's values (all but its id) take in the journal. */
    public static final int MAX_VALUES_BYTES = 16_384;

    private RunRules() {
    }

    /**
     * @param id             a run id.
     * @param maxIdChars     the store's longest string.
     * @throws RunException (invalid, field {@code id}) if it breaks the rule.
     */
    public static void checkId(final String id, final int maxIdChars) {
        text("id", id, maxIdChars);
    }

    /**
     * Checks a name, parameters, tags and expected count; a null is absent and passes.
     *
     * @throws RunException (invalid) naming the first field that breaks a rule.
     */
    public static void check(final String name, final Map<String, Object> parameters, final List<String> tags,
                             final long expectedTasks) {
        if (name != null) {
            text("name", name, MAX_NAME_CHARS);
        }
        if (parameters != null) {
            if (parameters.size() > MAX_PARAMETERS) {
                throw RunException.invalid("parameters", "at most " + MAX_PARAMETERS + " parameters, got "
                    + parameters.size());
            }
            for (final Map.Entry<String, Object> p : parameters.entrySet()) {
                text("parameters", p.getKey(), MAX_KEY_CHARS);
                final Object v = p.getValue();
                final String field = "parameters." + p.getKey();
                if (v instanceof String s) {
                    if (s.length() > MAX_VALUE_CHARS) {
                        throw RunException.invalid(field, "a string of at most " + MAX_VALUE_CHARS + " characters");
                    }
                } else if (v instanceof Double d) {
                    if (!Double.isFinite(d)) {
                        throw RunException.invalid(field, "must be a finite number, got " + d);
                    }
                } else if (!(v instanceof Long) && !(v instanceof Boolean)) {
                    throw RunException.invalid(field, "must be a number, a string or a boolean");
                }
            }
        }
        if (tags != null) {
            if (tags.size() > MAX_TAGS) {
                throw RunException.invalid("tags", "at most " + MAX_TAGS + " tags, got " + tags.size());
            }
            for (int i = 0; i < tags.size(); i++) {
                text("tags", tags.get(i), MAX_KEY_CHARS);
                if (tags.subList(0, i).contains(tags.get(i))) {
                    throw RunException.invalid("tags", "'" + tags.get(i) + "' is given twice");
                }
            }
        }
        if (encodedBytes(name, parameters, tags) > MAX_VALUES_BYTES - stringBytes(MAX_REASON_CHARS)) {
            throw RunException.invalid(parameters != null ? "parameters" : tags != null ? "tags" : "name",
                "the name, parameters and tags take more than " + (MAX_VALUES_BYTES - stringBytes(MAX_REASON_CHARS))
                + " bytes in the journal (three a character); give fewer or shorter values");
        }
        if (expectedTasks != RunCommand.NO_COUNT && (expectedTasks < 0 || expectedTasks > MAX_EXPECTED_TASKS)) {
            throw RunException.invalid("expectedTasks", "must be 0 to " + MAX_EXPECTED_TASKS + ", got "
                + expectedTasks);
        }
    }

    /**
     * @param status a final status.
     * @param reason why, or null.
     * @throws RunException (invalid) if the status is not one a caller finishes with, or the reason is too long.
     */
    public static void checkFinish(final RunStatus status, final String reason) {
        if (status == null || status == RunStatus.RUNNING || status == RunStatus.INTERRUPTED) {
            throw RunException.invalid("status", "must be one of " + String.join(", ", RunStatus.FINISH_NAMES)
                + " but was '" + (status == null ? null : status.wireName()) + "'");
        }
        if (reason != null && reason.length() > MAX_REASON_CHARS) {
            throw RunException.invalid("reason", "at most " + MAX_REASON_CHARS + " characters");
        }
    }

    private static void text(final String field, final String value, final int max) {
        if (value == null || value.isEmpty()) {
            throw RunException.invalid(field, "must not be empty");
        }
        if (value.length() > max) {
            throw RunException.invalid(field, "at most " + max + " characters, got " + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw RunException.invalid(field, "must not hold control characters");
            }
        }
    }

    private static long stringBytes(final int chars) {
        return 5 + 3L * chars;
    }

    private static long encodedBytes(final String name, final Map<String, Object> parameters,
                                     final List<String> tags) {
        long b = name == null ? 1 : stringBytes(name.length());
        if (parameters != null) {
            for (final Map.Entry<String, Object> p : parameters.entrySet()) {
                b += stringBytes(p.getKey().length()) + 1
                    + (p.getValue() instanceof String s ? stringBytes(s.length()) : 8);
            }
        }
        if (tags != null) {
            for (final String t : tags) {
                b += stringBytes(t.length());
            }
        }
        return b + 2;
    }

    /**
     * @param idChars the length of a run's id.
     * @return the most bytes a RUN command of such an id takes in the journal beside its fixed fields.
     */
    public static long maxEncodedBytes(final int idChars) {
        return stringBytes(idChars) + MAX_VALUES_BYTES;
    }
}
