package dev.ringmeter.core.aggregate;

import dev.ringmeter.core.cost.PriceBook;
import dev.ringmeter.core.journal.FormatVersion;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The snapshot layout of the {@link Aggregates}: the price table, the cumulative counters, every tier and the
 * per-model totals.
 * <pre>
 *  prices:     the price book, see PriceBook#write (snapshot version 4 and older: the price table,
 *              count:4 (model:4 inputUsdPerMillion:double outputUsdPerMillion:double)*)
 *  counters:   events:8 metricSamples:8 expired:8
 *  tiers:      all-models tiers | models:4 (id:4 tiers recentEvents)* | metrics:4 (id:4 series)*, series as
 *              MetricSeries writes them (version 6 on; before, one tiers: the series with no tags)
 *  (tiers):    per tier (headStartMs:8 nextToRollMs:8 buckets:4 (index:4 bucket)*) | held:4 bucket*
 *              (the held buckets: finest ones ahead of the store clock, see TimeTiers; bucket: see BucketCodec;
 *              snapshot version 2 has no held buckets)
 *  recentEvents: see RecentEvents#write (snapshot version 2: 16 longs an event, with ids of released dimensions)
 *  totals:     bounds of duration, time to first token, tokens: (count:4 bound:double*) x 3
 *              | models:4 (id:4 | statuses:4 requests:8* | 4 x histogram | errorTypes:4 (type:8 calls:8)*
 *              | costUsd:double retries:8 cacheHits:8 cacheMisses:8)*
 *              | quality:4 (name:4 sum:double count:8)* (from snapshot version 5))*
 *  subjects:   from snapshot version 5: see SubjectTiers#write
 *  histogram:  (count:8) x (bounds + 1) sum:double count:8
 * </pre>
 * From snapshot version 5 the runs follow, as {@code length:4} and the bytes of
 * {@link dev.ringmeter.core.run.RunTable}'s section (written after the totals by the image, read by
 * {@link Aggregates#read}).
 * <p>
 * A snapshot whose totals were counted with other bounds or statuses is refused, so the store replays its journal.
 * <p>
 * Threading: stateless; {@link #write} needs a state no writer changes meanwhile (the writer itself, or the lock
 * held with the writer stopped), {@link #read} an empty state before the ring starts.
 */
final class AggregatesCodec {
    private static final int MAX_ID = 10_000_000;
    /** The first snapshot version with the runs after the totals. */
    static final int SNAPSHOT_WITH_RUNS = 5;
    /** The most quality score names any store allows: its limit is at most the largest cardinality limit. */
    private static final int MAX_QUALITY_NAMES = dev.ringmeter.core.StoreConfig.MAX_CARDINALITY_LIMIT;

    private AggregatesCodec() {
    }

    static void write(final DataOutput out, final PriceBook prices, final CumulativeTotals totals,
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
        writeTotals(out, totals);
        tiers.subjects.write(out);
    }

    static void read(final DataInput in, final PriceBook prices, final CumulativeTotals totals,
                     final TierRegistry tiers, final int snapshot, final int maxStringLength) throws IOException {
        if (snapshot >= 5) {
            prices.read(in);
        } else {
            prices.readLegacyTable(in);
        }
        totals.events = in.readLong();
        totals.metricSamples = in.readLong();
        totals.expired = in.readLong();
        tiers.all.read(in, snapshot);
        final int modelCount = in.readInt();
        for (int i = 0; i < modelCount; i++) {
            final int id = readId(in, "model");
            tiers.model(id).read(in, snapshot);
            tiers.recent[id].read(in, snapshot, maxStringLength);
        }
        final int metricCount = in.readInt();
        for (int i = 0; i < metricCount; i++) {
            final MetricSeries series = tiers.metric(readId(in, "metric"));
            if (snapshot >= dev.ringmeter.core.journal.FormatVersion.SNAPSHOT_WATCH) {
                tiers.seriesCount += series.read(in, snapshot, tiers.plainTiers);
            } else {
                series.add(new String[0], new String[0], tiers.plainTiers.get()).read(in, snapshot);
                tiers.seriesCount++;
            }
        }
        readTotals(in, totals, snapshot);
        if (snapshot >= 5) {
            tiers.subjects.read(in, snapshot);
        }
    }

    private static void writeTotals(final DataOutput out, final CumulativeTotals totals) throws IOException {
        writeBounds(out, ModelTotals.DURATION_BOUNDS_S);
        writeBounds(out, ModelTotals.TTFT_BOUNDS_S);
        writeBounds(out, ModelTotals.TOKEN_BOUNDS);
        int n = 0;
        for (final ModelTotals m : totals.models) {
            n += m != null ? 1 : 0;
        }
        out.writeInt(n);
        for (int id = 0; id < totals.models.length; id++) {
            final ModelTotals m = totals.models[id];
            if (m == null) {
                continue;
            }
            out.writeInt(id);
            writeModelTotals(out, m);
        }
    }

    /** Writes one model's (or subject's) totals, after its id. */
    static void writeModelTotals(final DataOutput out, final ModelTotals m) throws IOException {
        out.writeInt(m.requestsByStatus.length);
        for (final long r : m.requestsByStatus) {
            out.writeLong(r);
        }
        writeHistogram(out, m.durationSeconds);
        writeHistogram(out, m.ttftSeconds);
        writeHistogram(out, m.inputTokens);
        writeHistogram(out, m.outputTokens);
        BucketCodec.writeErrorCounts(out, m.errorsByType);
        out.writeDouble(m.costUsd);
        out.writeLong(m.retries);
        out.writeLong(m.cacheHits);
        out.writeLong(m.cacheMisses);
        int scores = 0;
        for (final long c : m.qualityCounts) {
            scores += c > 0 ? 1 : 0;
        }
        out.writeInt(scores);
        for (int name = 1; name < m.qualityCounts.length; name++) {
            if (m.qualityCounts[name] > 0) {
                out.writeInt(name);
                out.writeDouble(m.qualitySums[name]);
                out.writeLong(m.qualityCounts[name]);
            }
        }
        writeHistogram(out, m.tpotSeconds);
        out.writeInt(m.provider);
        out.writeBoolean(m.operationName != null);
        if (m.operationName != null) {
            out.writeUTF(m.operationName);
        }
    }

    private static void readTotals(final DataInput in, final CumulativeTotals totals, final int snapshot)
        throws IOException {
        checkBounds(in, ModelTotals.DURATION_BOUNDS_S, "duration");
        checkBounds(in, ModelTotals.TTFT_BOUNDS_S, "time to first token");
        checkBounds(in, ModelTotals.TOKEN_BOUNDS, "token");
        final int n = in.readInt();
        if (n < 0 || n > MAX_ID) {
            throw new IOException("bad model totals count " + n);
        }
        for (int i = 0; i < n; i++) {
            readModelTotals(in, totals.model(readId(in, "model totals")), snapshot);
        }
    }

    /**
     * Reads what {@link #writeModelTotals} wrote (before snapshot version 5: without the quality scores; before 7:
     * without the time per output token, provider and operation).
     */
    static void readModelTotals(final DataInput in, final ModelTotals m, final int snapshot) throws IOException {
        final int statuses = in.readInt();
        if (statuses != m.requestsByStatus.length) {
            throw new IOException("totals of " + statuses + " statuses, not " + m.requestsByStatus.length);
        }
        for (int s = 0; s < statuses; s++) {
            m.requestsByStatus[s] = in.readLong();
        }
        readHistogram(in, m.durationSeconds);
        readHistogram(in, m.ttftSeconds);
        readHistogram(in, m.inputTokens);
        readHistogram(in, m.outputTokens);
        BucketCodec.readErrorCounts(in, BucketCodec.readErrorTypes(in, MAX_ID), m.errorsByType);
        m.costUsd = in.readDouble();
        m.retries = in.readLong();
        m.cacheHits = in.readLong();
        m.cacheMisses = in.readLong();
        if (snapshot >= 5) {
            final int scores = in.readInt();
            if (scores < 0 || scores > MAX_QUALITY_NAMES) {
                throw new IOException("bad quality score count " + scores);
            }
            for (int i = 0; i < scores; i++) {
                final int name = in.readInt();
                if (name <= 0 || name > MAX_QUALITY_NAMES) {
                    throw new IOException("bad quality name id " + name);
                }
                m.addQuality(name, in.readDouble(), in.readLong());
            }
        }
        if (snapshot >= FormatVersion.SNAPSHOT_TOTALS_LABELS) {
            readHistogram(in, m.tpotSeconds);
            m.provider = readLabelId(in, "provider");
            m.operationName = in.readBoolean() ? in.readUTF() : null;
        }
    }

    private static int readLabelId(final DataInput in, final String what) throws IOException {
        final int id = in.readInt();
        if (id < 0 || id > MAX_ID) {
            throw new IOException("bad " + what + " id " + id + " in the totals");
        }
        return id;
    }

    private static void writeBounds(final DataOutput out, final double[] bounds) throws IOException {
        out.writeInt(bounds.length);
        for (final double b : bounds) {
            out.writeDouble(b);
        }
    }

    private static void checkBounds(final DataInput in, final double[] bounds, final String what) throws IOException {
        final int n = in.readInt();
        boolean same = n == bounds.length;
        for (int i = 0; i < n && same; i++) {
            same = in.readDouble() == bounds[i];
        }
        if (!same) {
            throw new IOException("the snapshot's " + what + " totals have other bucket bounds");
        }
    }

    private static void writeHistogram(final DataOutput out, final FixedBucketHistogram h) throws IOException {
        for (final long c : h.counts) {
            out.writeLong(c);
        }
        out.writeDouble(h.rawSum);
    }

    private static void readHistogram(final DataInput in, final FixedBucketHistogram h) throws IOException {
        for (int i = 0; i < h.counts.length; i++) {
            h.counts[i] = in.readLong();
        }
        h.rawSum = in.readDouble();
    }

    /**
     * Writes a string that may be null: its UTF-8 length (-1 for null) and bytes.
     */
    static void writeString(final DataOutput out, final String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        final byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    /**
     * Reads what {@link #writeString} wrote.
     *
     * @param maxChars longest string allowed; a UTF-16 char is at most 3 bytes of UTF-8.
     */
    static String readString(final DataInput in, final int maxChars) throws IOException {
        final int length = in.readInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > 3L * maxChars) {
            throw new IOException("string of " + length + " bytes");
        }
        final byte[] utf8 = new byte[length];
        in.readFully(utf8);
        return new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
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
