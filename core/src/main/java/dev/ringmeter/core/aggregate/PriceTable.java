package dev.ringmeter.core.aggregate;

import dev.ringmeter.core.ingest.EventSlot;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * Price per million input and output tokens of each model, by model id, used to cost events that carry no cost of
 * their own.
 * <p>
 * Threading: written only by the aggregate writer (price changes travel through the ring, so they apply in order
 * with the events around them); read by queries under the aggregates' lock.
 */
public final class PriceTable {
    private double[] inputUsdPerMillion = new double[16];
    private double[] outputUsdPerMillion = new double[16];
    private boolean[] known = new boolean[16];

    public void set(final int model, final double inputUsdPerMillion, final double outputUsdPerMillion) {
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
    public double cost(final EventSlot e) {
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

    /**
     * @return a copy, for a second owner on another thread.
     */
    PriceTable copy() {
        final PriceTable c = new PriceTable();
        for (int m = 0; m < known.length; m++) {
            if (known[m]) {
                c.set(m, inputUsdPerMillion[m], outputUsdPerMillion[m]);
            }
        }
        return c;
    }

    void write(final DataOutput out) throws IOException {
        int n = 0;
        for (final boolean k : known) {
            n += k ? 1 : 0;
        }
        out.writeInt(n);
        for (int m = 0; m < known.length; m++) {
            if (known[m]) {
                out.writeInt(m);
                out.writeDouble(inputUsdPerMillion[m]);
                out.writeDouble(outputUsdPerMillion[m]);
            }
        }
    }

    void read(final DataInput in) throws IOException {
        final int n = in.readInt();
        if (n < 0 || n > 10_000_000) {
            throw new IOException("bad price count " + n);
        }
        for (int i = 0; i < n; i++) {
            set(in.readInt(), in.readDouble(), in.readDouble());
        }
    }
}
