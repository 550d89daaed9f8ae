package dev.ringmeter.core.aggregate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The snapshot layout of the {@link Aggregates}: the price table, the cumulative counters and every tier.
 * <pre>
 *  prices:     count:4 (model:4 inputUsdPerMillion:double outputUsdPerMillion:double)*
 *  counters:   events:8 metricSamples:8 expired:8
 *  tiers:      all-models tiers | models:4 (id:4 tiers recentEvents)* | metrics:4 (id:4 tiers)*
 * </pre>
 * <p>
 * Threading: stateless; {@link #write} needs a state no writer changes meanwhile (the writer itself, or the lock
 * held with the writer stopped), {@link #read} an empty state before the ring starts.
 */
final class AggregatesCodec {
    private static final int MAX_ID = 10_000_000;

    private AggregatesCodec() {
    }

    static void write(final DataOutput out, final PriceTable prices, final CumulativeTotals totals,
                      final TierRegistry tiers) throws IOException {
        prices.write(out);
        out.writeLong(totals.events);
        out.writeLong(totals.metricSamples);
        out.writeLong(totals.expired);
        tiers.all.write(out);
        out.writeInt(present(tiers.models));
        for (int id = 0; id < tiers.models.length; id++) {
            if (tiers.models[id] != null) {
                out.writeInt(id);
                tiers.models[id].write(out);
                tiers.recent[id].write(out);
            }
        }
        out.writeInt(present(tiers.metrics));
        for (int id = 0; id < tiers.metrics.length; id++) {
            if (tiers.metrics[id] != null) {
                out.writeInt(id);
                tiers.metrics[id].write(out);
            }
        }
    }

    static void read(final DataInput in, final PriceTable prices, final CumulativeTotals totals,
                     final TierRegistry tiers) throws IOException {
        prices.read(in);
        totals.events = in.readLong();
        totals.metricSamples = in.readLong();
        totals.expired = in.readLong();
        tiers.all.read(in);
        final int modelCount = in.readInt();
        for (int i = 0; i < modelCount; i++) {
            final int id = readId(in, "model");
            tiers.model(id).read(in);
            tiers.recent[id].read(in);
        }
        final int metricCount = in.readInt();
        for (int i = 0; i < metricCount; i++) {
            tiers.metric(readId(in, "metric")).read(in);
        }
    }

    private static int present(final Object[] byId) {
        int n = 0;
        for (final Object o : byId) {
            n += o != null ? 1 : 0;
        }
        return n;
    }

    private static int readId(final DataInput in, final String what) throws IOException {
        final int id = in.readInt();
        if (id <= 0 || id > MAX_ID) {
            throw new IOException("bad " + what + " id " + id);
        }
        return id;
    }
}
