package dev.ringmeter.server.ops;

import dev.ringmeter.core.watch.alert.AlertStatus;
import dev.ringmeter.core.watch.alert.Alerts;
import dev.ringmeter.core.watch.alert.NoticeDispatcher;
import dev.ringmeter.core.watch.alert.NoticeSink;
import dev.ringmeter.core.watch.alert.TargetKind;

import java.util.List;

/**
 * Writes the alert rules' state and their notices' delivery in the Prometheus text format:
 * <ul>
 *   <li>{@code ringmeter_alerts{rule,alertname,alertstate,severity}}: 1 for each alert pending or firing now, as
 *   Prometheus' own {@code ALERTS} series;</li>
 *   <li>{@code ringmeter_alert_rules}: the rules held;</li>
 *   <li>{@code ringmeter_alert_outbox}: notices journaled and not yet delivered or abandoned;</li>
 *   <li>with the store's {@link NoticeDispatcher}, per target kind: {@code ringmeter_alert_notices_total{target,
 *   outcome}} (delivered, abandoned, retried, refused, reposted) and {@code ringmeter_alert_notices_pending{target}}.</li>
 * </ul>
 * Threading: stateless; any thread.
 */
final class AlertExposition {
    private AlertExposition() {
    }

    /**
     * @param alerts the store's alerts.
     * @param sink   the store's notice sink, or null.
     * @return the families.
     */
    static String write(final Alerts alerts, final NoticeSink sink) {
        final List<AlertStatus> active = alerts.active();
        final StringBuilder b = new StringBuilder(1_024 + active.size() * 160);
        PrometheusExposition.family(b, "ringmeter_alerts", "gauge",
            "1 for each alert rule pending or firing now, labelled with its state and severity.");
        for (final AlertStatus s : active) {
            PrometheusExposition.sample(b, "ringmeter_alerts", PrometheusExposition.label("rule", s.rule().id()) + ','
                + PrometheusExposition.label("alertname", s.rule().name()) + ','
                + PrometheusExposition.label("alertstate", s.state().label()) + ','
                + PrometheusExposition.label("severity", s.severity().label()), 1);
        }
        PrometheusExposition.family(b, "ringmeter_alert_rules", "gauge", "Alert rules held.");
        PrometheusExposition.sample(b, "ringmeter_alert_rules", null, alerts.rules().size());
        PrometheusExposition.family(b, "ringmeter_alert_outbox", "gauge",
            "Alert notices journaled and not yet delivered or abandoned, one per notice and target.");
        PrometheusExposition.sample(b, "ringmeter_alert_outbox", null, alerts.outboxSize());
        if (sink instanceof NoticeDispatcher) {
            final NoticeDispatcher d = (NoticeDispatcher)sink;
            PrometheusExposition.family(b, "ringmeter_alert_notices_total", "counter",
                "Alert notice deliveries by target kind and outcome; reposted counts Alertmanager re-posts.");
            for (final TargetKind kind : TargetKind.values()) {
                final String target = PrometheusExposition.label("target", kind.label()) + ',';
                outcome(b, target, "delivered", d.delivered(kind));
                outcome(b, target, "abandoned", d.abandoned(kind));
                outcome(b, target, "retried", d.retried(kind));
                outcome(b, target, "refused", d.refused(kind));
                outcome(b, target, "reposted", d.reposted(kind));
            }
            PrometheusExposition.family(b, "ringmeter_alert_notices_pending", "gauge",
                "Alert notice deliveries held by the dispatcher now, by target kind.");
            for (final TargetKind kind : TargetKind.values()) {
                PrometheusExposition.sample(b, "ringmeter_alert_notices_pending",
                    PrometheusExposition.label("target", kind.label()), d.pending(kind));
            }
        }
        return b.toString();
    }

    private static void outcome(final StringBuilder b, final String target, final String outcome, final long n) {
        PrometheusExposition.sample(b, "ringmeter_alert_notices_total",
            target + PrometheusExposition.label("outcome", outcome), n);
    }
}
