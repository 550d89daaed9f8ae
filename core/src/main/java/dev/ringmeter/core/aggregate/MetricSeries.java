package dev.ringmeter.core.aggregate;

import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;

/**
 * The series of one custom metric name: one {@link TimeTiers} per distinct set of tags its samples carried (as
 * Prometheus keys a series by name and labels), so that a query with tag filters merges the series whose tags
 * match and a query without one merges them all. A series keeps its tags as names, not ids: tag ids are released
 * when idle and given to other values, and a series must keep meaning the tags it was made with; a sample is
 * matched by the dictionary's names for its ids, compared by reference first (the dictionary's strings are shared).
 * <p>
 * <b>Bounds.</b> At most {@code limit} series ({@link dev.ringmeter.core.StoreConfig#metricSeriesPerName}), and no
 * more than the store's series in all allow ({@link dev.ringmeter.core.StoreConfig#metricSeries}, which the maker of
 * series enforces); the samples of any further tag set go to the name's overflow tiers, which keep counters but no
 * value histograms: every unfiltered query merges them (count, sum, mean, min, max and rate stay whole, the
 * percentiles leave them out), and every answer reports {@linkplain #overflowSamples the samples they hold}. The
 * first sample a name puts there logs a warning naming the limit it passed.
 * <p>
 * Threading: not thread-safe; written by the aggregate writer, read under the aggregates' lock. Finding a sample's
 * series compares references and allocates nothing; a new tag set allocates its series once.
 */
final class MetricSeries {
    private static final System.Logger LOG = System.getLogger(MetricSeries.class.getName());
    private static final String[] NONE = new String[0];
    /** A series' own heap beside its tiers: its slots in the three arrays, its two tag arrays of up to 8 tags. */
    static final long SERIES_OWN_BYTES = 3 * 4 + 2 * (16 + 4L * dev.ringmeter.Event.MAX_TAGS);
    private final int limit;
    /** By series: tag keys, sorted, and their values beside them. */
    String[][] tagKeys = new String[1][];
    String[][] tagValues = new String[1][];
    TimeTiers[] tiers = new TimeTiers[1];
    int count;
    /** The tiers of the samples whose tag set came past the limit; null until one did. */
    TimeTiers overflow;
    /** Samples put into {@link #overflow} since the store opened. */
    long overflowSamples;
    /** The names of the tags of the sample being placed; reused (one writer). */
    private final String[] sampleKeys = new String[dev.ringmeter.Event.MAX_TAGS];
    private final String[] sampleValues = new String[dev.ringmeter.Event.MAX_TAGS];

    /**
     * @param limit the most series, at least 1.
     */
    MetricSeries(final int limit) {
        this.limit = limit;
    }

    /**
     * @param e          a metric sample.
     * @param dictionary names its tag ids.
     * @param maker         makes a series' tiers, or gives null when the store has no room for another.
     * @param overflowMaker makes the overflow tiers.
     * @return the tiers of the sample's tag set: its series, made on first use, or the overflow.
     */
    TimeTiers find(final EventSlot e, final Dictionary dictionary, final java.util.function.Supplier<TimeTiers> maker,
                   final java.util.function.Supplier<TimeTiers> overflowMaker) {
        for (int t = 0; t < e.tagCount; t++) {
            sampleKeys[t] = dictionary.name(Dimension.TAG_KEY, e.tagKeys[t]);
            sampleValues[t] = dictionary.name(Dimension.TAG_VALUE, e.tagValues[t]);
        }
        for (int s = 0; s < count; s++) {
            if (matches(s, e.tagCount)) {
                return tiers[s];
            }
        }
        final TimeTiers made = count == limit ? null : maker.get();
        if (made == null) {
            overflowSamples++;
            if (overflow == null) {
                overflow = overflowMaker.get();
                LOG.log(System.Logger.Level.WARNING, "custom metric '" + dictionary.name(Dimension.METRIC_NAME,
                    e.metricName) + "': a tag set past " + (count == limit ? "metricSeriesPerName " + limit
                    : "metricSeries, the store's series in all,") + " goes to the name's overflow (counted, but in "
                    + "no percentile and no tag-filtered answer); raise the limit to keep it apart");
            }
            return overflow;
        }
        return add(Arrays.copyOf(sampleKeys, e.tagCount), Arrays.copyOf(sampleValues, e.tagCount), made);
    }

    /** Adds a series of these tags (sorted here by key) with its tiers. */
    TimeTiers add(final String[] keys, final String[] values, final TimeTiers t) {
        final Integer[] order = new Integer[keys.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> keys[a].compareTo(keys[b]));
        final String[] k = keys.length == 0 ? NONE : new String[keys.length];
        final String[] v = keys.length == 0 ? NONE : new String[keys.length];
        for (int i = 0; i < order.length; i++) {
            k[i] = keys[order[i]];
            v[i] = values[order[i]];
        }
        if (count == tiers.length) {
            final int n = Math.min(limit, count * 2);
            tiers = Arrays.copyOf(tiers, n);
            tagKeys = Arrays.copyOf(tagKeys, n);
            tagValues = Arrays.copyOf(tagValues, n);
        }
        tagKeys[count] = k;
        tagValues[count] = v;
        tiers[count++] = t;
        return t;
    }

    /** @return whether series s has exactly the tags of the sample being placed ({@link #sampleKeys}). */
    private boolean matches(final int s, final int tagCount) {
        final String[] keys = tagKeys[s];
        if (keys.length != tagCount) {
            return false;
        }
        for (int t = 0; t < tagCount; t++) {
            final String key = sampleKeys[t];
            final String value = sampleValues[t];
            boolean found = false;
            for (int j = 0; j < keys.length && !found; j++) {
                found = same(keys[j], key) && same(tagValues[s][j], value);
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    private static boolean same(final String a, final String b) {
        return a == b || a != null && a.equals(b);
    }

    /**
     * @param s       a series.
     * @param filters tag key to the value it must have; empty for every series.
     * @return whether series s has every filter's tag with its value.
     */
    boolean matches(final int s, final Map<String, String> filters) {
        if (filters.isEmpty()) {
            return true;   // no iterator: an unfiltered query allocates nothing
        }
        for (final Map.Entry<String, String> f : filters.entrySet()) {
            final int j = Arrays.binarySearch(tagKeys[s], f.getKey());
            if (j < 0 || !tagValues[s][j].equals(f.getValue())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Makes a snapshot's image: the series' tags (immutable arrays, shared) and their tiers' images.
     *
     * @param image  a new or earlier image of this name's series.
     * @param maker  makes an image's tiers.
     */
    void captureInto(final MetricSeries image, final java.util.function.Supplier<TimeTiers> maker) {
        if (image.tiers.length < tiers.length) {
            image.tiers = Arrays.copyOf(image.tiers, tiers.length);
            image.tagKeys = Arrays.copyOf(image.tagKeys, tiers.length);
            image.tagValues = Arrays.copyOf(image.tagValues, tiers.length);
        }
        for (int s = 0; s < count; s++) {
            if (image.tiers[s] == null) {
                image.tiers[s] = maker.get();
            }
            image.tagKeys[s] = tagKeys[s];
            image.tagValues[s] = tagValues[s];
            tiers[s].captureInto(image.tiers[s]);
        }
        image.count = count;
        if (overflow != null) {
            if (image.overflow == null) {
                image.overflow = maker.get();
            }
            overflow.captureInto(image.overflow);
        }
        image.overflowSamples = overflowSamples;
    }

    /**
     * Writes the series: {@code count:4 (tags:4 (key:UTF value:UTF)* tiers)* overflowSamples:8 overflow:1 [tiers]}.
     */
    void write(final DataOutput out) throws IOException {
        out.writeInt(count);
        for (int s = 0; s < count; s++) {
            out.writeInt(tagKeys[s].length);
            for (int t = 0; t < tagKeys[s].length; t++) {
                out.writeUTF(tagKeys[s][t]);
                out.writeUTF(tagValues[s][t]);
            }
            tiers[s].write(out);
        }
        out.writeLong(overflowSamples);
        out.writeBoolean(overflow != null);
        if (overflow != null) {
            overflow.write(out);
        }
    }

    /**
     * Reads series written by {@link #write} into this new instance.
     *
     * @return the number of series read, the overflow apart.
     */
    int read(final DataInput in, final int snapshot, final java.util.function.Supplier<TimeTiers> maker)
        throws IOException {
        final int n = in.readInt();
        if (n < 0 || n > limit) {
            throw new IOException("a metric holds " + n + " series, more than metricSeriesPerName " + limit);
        }
        for (int s = 0; s < n; s++) {
            final int tags = in.readInt();
            if (tags < 0 || tags > dev.ringmeter.Event.MAX_TAGS) {
                throw new IOException("bad tag count " + tags);
            }
            final String[] keys = new String[tags];
            final String[] values = new String[tags];
            for (int t = 0; t < tags; t++) {
                keys[t] = in.readUTF();
                values[t] = in.readUTF();
            }
            add(keys, values, maker.get()).read(in, snapshot);
        }
        overflowSamples = in.readLong();
        if (in.readBoolean()) {
            overflow = maker.get();
            overflow.read(in, snapshot);
        }
        return n;
    }

    /**
     * @param limit the most series of a name.
     * @return the heap of the instance and its arrays at their largest, beside the series and overflow tiers.
     */
    static long ownBytes(final int limit) {
        return 160 + 3 * (16 + 4L * limit);
    }

    /** @return an estimate of the heap held, in bytes. */
    long footprintBytes() {
        long bytes = 160 + 3 * (16 + 4L * tiers.length);
        for (int s = 0; s < count; s++) {
            bytes += tiers[s].footprintBytes() + 32 + 16L * tagKeys[s].length;
        }
        return bytes + (overflow == null ? 0 : overflow.footprintBytes());
    }
}
