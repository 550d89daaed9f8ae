package dev.ringmeter.core.watch.alert;

import java.util.Map;
import java.util.Objects;

/**
 * A silence: while it lasts, the notices of the alerts whose labels hold every matcher (equality of a label's value)
 * are recorded in the history as silenced and not sent. It ends by itself at {@link #endsAtMs()}.
 * <p>
 * Threading: an immutable value; any thread.
 *
 * @param id         the store's id, as ids of rules are made ({@link AlertRule#ID_PATTERN}).
 * @param matchers   label name to the value it must have; 1 to {@link #MAX_MATCHERS}.
 * @param startsAtMs when it starts, epoch ms.
 * @param endsAtMs   when it ends, epoch ms; after its start, at most {@link #MAX_DURATION_MS} later.
 * @param comment    why, for a person (may be empty).
 */
public record Silence(String id, Map<String, String> matchers, long startsAtMs, long endsAtMs, String comment) {
    /** The most matchers in a silence. */
    public static final int MAX_MATCHERS = 16;
    /** The longest a silence lasts: 30 days. */
    public static final long MAX_DURATION_MS = 30L * 24 * 3_600_000;
    /** The longest comment, chars. */
    public static final int MAX_COMMENT_LENGTH = 1_024;

    /** @throws IllegalArgumentException naming the field. */
    public Silence {
        AlertRule.checkId(id, "id");
        if (matchers == null || matchers.isEmpty() || matchers.size() > MAX_MATCHERS) {
            throw new IllegalArgumentException("matchers: 1 to " + MAX_MATCHERS + " label matchers are required");
        }
        AlertRule.checkLabels(matchers, "matchers");
        matchers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(matchers));
        if (startsAtMs < 0 || endsAtMs <= startsAtMs) {
            throw new IllegalArgumentException("endsAt must be after startsAt");
        }
        if (endsAtMs - startsAtMs > MAX_DURATION_MS) {
            throw new IllegalArgumentException("endsAt must be at most 30 days after startsAt");
        }
        comment = comment == null ? "" : comment;
        if (comment.length() > MAX_COMMENT_LENGTH) {
            throw new IllegalArgumentException("comment is longer than " + MAX_COMMENT_LENGTH + " chars");
        }
    }

    /**
     * @param labels an alert's labels.
     * @param nowMs  the time.
     * @return whether this silence is in force now and every matcher holds.
     */
    public boolean mutes(final Map<String, String> labels, final long nowMs) {
        if (nowMs < startsAtMs || nowMs >= endsAtMs) {
            return false;
        }
        for (final Map.Entry<String, String> m : matchers.entrySet()) {
            if (!Objects.equals(labels.get(m.getKey()), m.getValue())) {
                return false;
            }
        }
        return true;
    }
}
