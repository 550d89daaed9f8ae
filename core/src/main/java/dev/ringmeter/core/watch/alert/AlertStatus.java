package dev.ringmeter.core.watch.alert;

/**
 * A rule with its alert's state, as the store holds it now.
 * <p>
 * Threading: an immutable value; any thread.
 *
 * @param rule       the rule.
 * @param state      its state.
 * @param severity   while pending or firing, the severity; null when inactive.
 * @param sinceMs    when it entered its state, epoch ms (0 when inactive since it was made).
 * @param startsAtMs while firing, when it started firing (kept across escalations); else 0.
 * @param value      the value its last evaluation saw, NaN for none.
 */
public record AlertStatus(AlertRule rule, AlertState state, Severity severity, long sinceMs, long startsAtMs,
                          double value) {
}
