package dev.ringmeter.core;

import java.util.Arrays;

/**
 * Price per million input and output tokens of each model, by model id, used to cost events that carry no cost of
 * their own.
 * <p>
 * Threading: written only by the aggregate writer (price changes travel through the ring, so they apply in order
 * with the events around them); read by queries under the aggregates' lock.
 */
final class PriceTable {
    private double[] inputUsdPerMillion = new double[16];
    private double[] outputUsdPerMillion = new double[16];
    private boolean[] known = new boolean[16];

    void set(final int model, final double inputUsdPerMillion, final double outputUsdPerMillion) {
        if (model >= known.length) {
            final int n = Math.max(model + 1, known.length * 2);
            this.inputUsdPerMillion = Arrays.copyOf(this.inputUsdPerMillion, n);
            this.outputUsdPerMillion = Arrays.copyOf(this.outputUsdPerMillion, n);
            this.known = Arrays.copyOf(this.known, n);
        }
        this.inputUsdPerMillion[model] = inputUsdPerMillion;
        this.outputUsdPerMillion[model] = outputUsdPerMillion;
        this.known[model] = true;
    }

    boolean has(final int model) {
        return model < known.length && known[model];
    }

    double inputUsdPerMillion(final int model) {
        return has(model) ? inputUsdPerMillion[model] : Double.NaN;
    }

    double outputUsdPerMillion(final int model) {
        return has(model) ? outputUsdPerMillion[model] : Double.NaN;
    }

    /**
     * @param e the event.
     * @return the event's own cost, else its cost from the price table, else NaN.
     */
    double cost(final EventSlot e) {
        if (e.costUsd == e.costUsd) {
            return e.costUsd;
        }
        final int m = e.model;
        if (!has(m)) {
            return Double.NaN;
        }
        final long in = e.promptTokens == dev.ringmeter.Event.NONE ? 0 : e.promptTokens;
        final long out = e.completionTokens == dev.ringmeter.Event.NONE ? 0 : e.completionTokens;
        return (in * inputUsdPerMillion[m] + out * outputUsdPerMillion[m]) / 1_000_000.0;
    }
}
