package dev.ringmeter.core.watch.alert;

import java.util.Map;
import java.util.Objects;

/**
 * One notification of an alert: it fired (at a severity) or it resolved. Every payload built from it carries its
 * {@link #dedupKey()}, the same on every attempt and after a restart, so a receiver can drop the repeats that
 * at-least-once delivery allows.
 * <p>
 * Threading: an immutable value; any thread.
 *
 * @param dedupKey     stable for this notification: the rule's id, the alert's start and what it says.
 * @param ruleId       the rule's id.
 * @param ruleName     the rule's name.
 * @param severity     the severity it fired at (for a resolved notice, the last it had).
 * @param firing       true when the alert fires, false when it resolved.
 * @param labels       name/value pairs that identify the alert (rule, scope, metric, severity ...), in the order
 *                     given; Alertmanager groups and routes on them.
 * @param summary      one line for a person.
 * @param value        the value the rule last saw (NaN if none).
 * @param threshold    the threshold crossed (NaN for anomaly rules).
 * @param startsAtMs   when the alert started firing, epoch ms.
 * @param endsAtMs     when it resolved, epoch ms; 0 while it fires.
 * @param generatorUrl where a person sees the alert (may be empty).
 */
public record Notice(String dedupKey, String ruleId, String ruleName, Severity severity, boolean firing,
                     Map<String, String> labels, String summary, double value, double threshold, long startsAtMs,
                     long endsAtMs, String generatorUrl) {
    public Notice {
        Objects.requireNonNull(dedupKey, "dedupKey");
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(ruleName, "ruleName");
        Objects.requireNonNull(severity, "severity");
        labels = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(labels));
        Objects.requireNonNull(summary, "summary");
        generatorUrl = generatorUrl == null ? "" : generatorUrl;
    }
}
