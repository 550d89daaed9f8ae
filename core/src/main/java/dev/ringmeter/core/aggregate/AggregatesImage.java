package dev.ringmeter.core.aggregate;

import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dictionary;

import java.io.DataOutput;
import java.io.IOException;

/**
 * The aggregates as they stood at one point of the writer's stream, for a snapshot: where every tier stands and its
 * buckets, those held ahead of the clock included (shared with the writer, which froze them and changes copies
 * instead, see {@link CopyOnWrite}), copies of the recent events (their names too) and of the cumulative totals, and
 * the store's price table (read when written, see {@code PriceBook} on snapshots). Capturing it
 * ({@link Aggregates#capture}) costs the writer a copy of references and small tables, not of the buckets, so a
 * snapshot is written while ingestion goes on. Until it is released, the dictionary keeps the name of every id it
 * frees ({@link Dictionary#captureForSnapshot()}), so the dictionary written beside it still names every id as the
 * journal after the capture means it.
 * <p>
 * Threading: one per snapshot writer, reused. The writer captures it on its own thread, hands it to one other
 * thread (happens-before, e.g. through a volatile field), which {@link #write writes} it and then
 * {@link #release releases} it; the writer captures into it again only after the release.
 */
public final class AggregatesImage {
    private final Dictionary dictionary;
    private final dev.ringmeter.core.cost.PriceBook prices;
    private final CopyOnWrite cow;
    final TierRegistry tiers;
    final CumulativeTotals totals = new CumulativeTotals();
    /** The in-memory comparisons' image, and the writer's combinations whose buckets it freezes. */
    final Combinations combinations;
    private final Combinations liveCombinations;
    final dev.ringmeter.core.journal.SnapshotSection runs = new dev.ringmeter.core.journal.SnapshotSection();
    /** The anomalies kept when captured. */
    java.util.List<dev.ringmeter.core.watch.Anomaly> anomalies = java.util.List.of();
    /** The alert state's section ({@code AlertTable#captureInto}), written after the runs. */
    final dev.ringmeter.core.journal.SnapshotSection alerts = new dev.ringmeter.core.journal.SnapshotSection();

    AggregatesImage(final StoreConfig config, final Dictionary dictionary,
                    final dev.ringmeter.core.cost.PriceBook prices, final CopyOnWrite cow,
                    final Combinations liveCombinations) {
        this.dictionary = dictionary;
        this.prices = prices;
        this.cow = cow;
        this.tiers = new TierRegistry(config, dictionary, true);
        this.liveCombinations = liveCombinations;
        this.combinations = new Combinations(dictionary, 0, liveCombinations.limit(), true);
    }

    /**
     * Writes the image in the snapshot layout of {@link AggregatesCodec}.
     *
     * @param out to write to.
     * @throws IOException if the write fails.
     */
    public void write(final DataOutput out) throws IOException {
        AggregatesCodec.write(out, prices, totals, tiers);
        runs.write(out);
        dev.ringmeter.core.watch.AnomalyLog.write(anomalies, out);
        alerts.write(out);
        CombinationsCodec.write(out, combinations);
    }

    /**
     * Lets the writer change the buckets this image shares again, and the dictionary forget the names it kept for
     * it: call once the image and the dictionary are written (or given up).
     */
    public void release() {
        cow.thaw();
        liveCombinations.cow.thaw();
        dictionary.snapshotWritten();
    }
}
