package dev.ringmeter.core.watch.alert;

import java.util.Locale;
import java.util.Objects;

/**
 * One change of a rule's alert, as the evaluator decides it, the journal keeps it and the history shows it.
 * <p>
 * Threading: an immutable value; any thread.
 *
 * @param ruleId     the rule's id.
 * @param timeMs     when, epoch ms (the evaluator's tick).
 * @param kind       what happened.
 * @param severity   the severity it is at (pending, firing) or was at (resolved, cleared).
 * @param value      the value the rule saw (NaN for none: no data).
 * @param startsAtMs when the alert started firing, for {@link Kind#FIRING} and {@link Kind#RESOLVED}; when it
 *                   became pending for {@link Kind#PENDING}.
 * @param silenced   whether a silence muted its notice (recorded, not sent).
 * @param notice     the notice of a {@link Kind#FIRING} or {@link Kind#RESOLVED} change, else null.
 */
public record AlertTransition(String ruleId, long timeMs, Kind kind, Severity severity, double value,
                              long startsAtMs, boolean silenced, Notice notice) {
    /** What happened. */
    public enum Kind {
        /** Inactive to pending: the condition holds, its {@code for} not yet elapsed. */
        PENDING(AlertState.PENDING),
        /** To firing: from pending or inactive, or at another severity (escalation, de-escalation). */
        FIRING(AlertState.FIRING),
        /** Firing to inactive: the condition no longer holds. */
        RESOLVED(AlertState.INACTIVE),
        /** Pending to inactive before it fired: the condition stopped holding or the data went. */
        CLEARED(AlertState.INACTIVE);

        private final AlertState state;

        Kind(final AlertState state) {
            this.state = state;
        }

        /** @return the state the rule is in after it. */
        public AlertState state() {
            return state;
        }

        /** @return the name in the API. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public AlertTransition {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(severity, "severity");
    }
}
