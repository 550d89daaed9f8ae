package dev.ringmeter.server.ops;

import dev.ringmeter.core.watch.SystemMetric;
import dev.ringmeter.core.watch.SystemReading;

import java.util.List;
import java.util.Locale;

/**
 * Writes the latest round of the store's system sampler in the Prometheus text format: each {@link SystemMetric}
 * as {@code ringmeter_} and its name with dots as underscores, a {@code _ms} series in seconds as
 * {@code _seconds}, a counter with {@code _total}, GPU series labelled {@code gpu}. The series the store's own
 * counters already expose ({@link SystemMetric.Kind#STORE_STATS}) are left to them.
 * <p>
 * Threading: stateless; any thread.
 */
final class SystemExposition {
    private SystemExposition() {
    }

    /**
     * @param readings the sampler's latest round, empty when there is none.
     * @return the families, empty when there are no readings.
     */
    static String write(final List<SystemReading> readings) {
        if (readings.isEmpty()) {
            return "";
        }
        final StringBuilder b = new StringBuilder(256 + readings.size() * 128);
        for (final SystemMetric metric : SystemMetric.values()) {
            if (metric.kind() == SystemMetric.Kind.STORE_STATS) {
                continue;
            }
            final boolean ms = metric.metricName().endsWith("_ms");
            final String name = name(metric);
            boolean first = true;
            for (final SystemReading r : readings) {
                if (r.metric() != metric) {
                    continue;
                }
                if (first) {
                    PrometheusExposition.family(b, name, metric.kind().name().toLowerCase(Locale.ROOT),
                        metric.help() + (ms ? " Seconds." : ""));
                    first = false;
                }
                PrometheusExposition.sample(b, name,
                    r.gpu() < 0 ? null : PrometheusExposition.label("gpu", Integer.toString(r.gpu())),
                    ms ? r.value() / 1000.0 : r.value());
            }
        }
        return b.toString();
    }

    /**
     * @param metric a series.
     * @return its name in the exposition.
     */
    static String name(final SystemMetric metric) {
        String n = "ringmeter_" + metric.metricName().replace('.', '_');
        if (n.endsWith("_ms")) {
            n = n.substring(0, n.length() - 3) + "_seconds";
        }
        return metric.kind() == SystemMetric.Kind.COUNTER ? n + "_total" : n;
    }
}
