package dev.ringmeter.server.llmbench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One cell of a benchmark's matrix: a target, a model, a configuration and a load point (a concurrency or a rate).
 * Each cell is one run in the store, whose parameters are {@link #parameters()}. Immutable.
 *
 * @param index         its place in the matrix, from 0 (targets outermost, load points innermost).
 * @param target        its endpoint.
 * @param model         its model.
 * @param configuration its parameter set.
 * @param mode          its load mode.
 * @param point         its concurrency (closed) or rate in requests/s (open).
 */
public record BenchmarkCell(int index, BenchmarkSpec.Target target, String model,
                            BenchmarkSpec.Configuration configuration, BenchmarkSpec.LoadMode mode, double point) {

    /** @return its concurrency (closed loop), or 0. */
    public int concurrency() {
        return mode == BenchmarkSpec.LoadMode.CLOSED ? (int)point : 0;
    }

    /** @return its rate in requests/s (open loop), or 0. */
    public double ratePerSec() {
        return mode == BenchmarkSpec.LoadMode.CLOSED ? 0 : point;
    }

    /**
     * @return the run's configuration: target, api, stream, model, config, the configuration's values, the load
     *         mode and its concurrency or rate (strings, numbers and booleans, as runs take them).
     */
    public Map<String, Object> parameters() {
        final Map<String, Object> p = new LinkedHashMap<>();
        p.put("target", target.name());
        p.put("api", target.api().wireName());
        p.put("stream", target.stream());
        p.put("model", model);
        p.put("config", configuration.name());
        if (configuration.temperature() != null) {
            p.put("temperature", configuration.temperature());
        }
        if (configuration.maxTokens() != null) {
            p.put("max_tokens", configuration.maxTokens());
        }
        if (configuration.topP() != null) {
            p.put("top_p", configuration.topP());
        }
        for (final Map.Entry<String, Object> e : configuration.extra().entrySet()) {
            p.putIfAbsent(e.getKey(), e.getValue());
        }
        p.put("load", mode.wireName());
        if (mode == BenchmarkSpec.LoadMode.CLOSED) {
            p.put("concurrency", concurrency());
        } else {
            p.put("rate", point);
        }
        return p;
    }

    /** @return a short label: target/model/config@point. */
    public String label() {
        return target.name() + "/" + model + "/" + configuration.name() + "@"
            + (mode == BenchmarkSpec.LoadMode.CLOSED ? "c" + concurrency() : "r" + point);
    }
}
