package dev.ringmeter.server.ops;

import dev.ringmeter.core.query.Subject;
import dev.ringmeter.core.watch.AnomalyView;
import dev.ringmeter.core.watch.AnomalyWatch;

import java.util.Collection;

/**
 * Writes the anomaly watch's state in the Prometheus text format: {@code ringmeter_anomalies_open{model,metric}},
 * 1 while an anomaly is under way on the model's metric, else 0, for every model and watched metric.
 * <p>
 * Threading: stateless; any thread.
 */
final class AnomalyExposition {
    static final String NAME = "ringmeter_anomalies_open";

    private AnomalyExposition() {
    }

    /**
     * @param models the models, in name order.
     * @param view   the anomalies under way.
     * @return the family, empty when there is no model.
     */
    static String write(final Collection<String> models, final AnomalyView view) {
        if (models.isEmpty()) {
            return "";
        }
        final StringBuilder b = new StringBuilder(256 + models.size() * AnomalyWatch.WATCHED.size() * 64);
        PrometheusExposition.family(b, NAME, "gauge",
            "1 while the anomaly watch has an anomaly under way on the model's metric, else 0.");
        for (final String model : models) {
            final Subject subject = Subject.model(model);
            for (final AnomalyWatch.Watched w : AnomalyWatch.WATCHED) {
                PrometheusExposition.sample(b, NAME, PrometheusExposition.label("model", model) + ','
                    + PrometheusExposition.label("metric", w.metric().key()),
                    view.open(subject, w.metric().key()) == null ? 0 : 1);
            }
        }
        return b.toString();
    }
}
