package dev.ringmeter.server.query;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ringmeter.Status;
import dev.ringmeter.core.Compare;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.decide.BestConfiguration;
import dev.ringmeter.core.decide.Component;
import dev.ringmeter.core.decide.ComponentScore;
import dev.ringmeter.core.decide.Components;
import dev.ringmeter.core.decide.Direction;
import dev.ringmeter.core.decide.Ranking;
import dev.ringmeter.core.decide.Significance;
import dev.ringmeter.core.decide.Weights;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.journal.JournalScan;
import dev.ringmeter.core.journal.ScanStoppedException;
import dev.ringmeter.core.query.Comparison;
import dev.ringmeter.core.query.Comparison.Source;
import dev.ringmeter.core.query.EventFilter;
import dev.ringmeter.core.query.GroupKey;
import dev.ringmeter.core.query.GroupValues;
import dev.ringmeter.core.query.Metric;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.server.StoreHolder;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.ClientConnection;
import dev.ringmeter.server.http.Json;
import dev.ringmeter.server.http.QueryParams;
import dev.ringmeter.wire.FieldNames;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The comparison routes: {@code GET /api/v1/compare}, groups of events by up to two keys, filtered, sorted by any
 * metric and cut to the top N, each with the analytics of an /analytics group (and, given a baseline group, the
 * significance of its difference from it); and {@code GET /api/v1/best}, the groups ranked by a weighted score of
 * quality, P95 latency, cost per success and success rate, every component shown. Both ask the store's
 * {@link Compare}, which answers from the in-memory combinations or by a journal scan ({@code source}); a scan takes
 * one of the scan permits the analytics route shares ({@link ScanCounters}).
 * <p>
 * Threading: any request thread; stateless but for the shared scan permits and counters.
 */
public final class CompareController {
    /** Groups a reply holds unless its {@code limit} says otherwise. */
    static final int DEFAULT_GROUPS = 100;
    /** The most groups a reply may hold. */
    static final int MAX_GROUPS = 1_000;
    /** The parameters both routes take besides their own: the range, the filters, the source. */
    private static final List<String> COMMON = common();
    private static final List<String> METRICS = Arrays.asList(Metric.keys().split(", "));
    private static final List<String> SOURCES = List.of("auto", "memory", "scan");
    private static final List<String> ORDERS = List.of("asc", "desc");
    private static final List<String> WEIGHTS = List.of("quality", "p95", "costPerSuccess", "successRate");

    private final StoreHolder holder;
    private final long scanTimeoutMs;
    private final ScanCounters scans;

    /**
     * @param holder        the store.
     * @param scanTimeoutMs how long a journal scan may run before it ends with 503.
     * @param scans         the scan permits and counters shared with the analytics route.
     */
    public CompareController(final StoreHolder holder, final long scanTimeoutMs, final ScanCounters scans) {
        this.holder = holder;
        this.scanTimeoutMs = scanTimeoutMs;
        this.scans = scans;
    }

    private static List<String> common() {
        final List<String> names = new ArrayList<>(List.of("by", "window", "from", "to", FieldNames.STATUS, "tag",
            "source", "limit"));
        for (final Dimension d : Dimension.EVENT_FIELDS) {
            names.add(d.field());
        }
        return names;
    }

    private static String[] names(final String... own) {
        final List<String> names = new ArrayList<>(COMMON);
        names.addAll(Arrays.asList(own));
        return names.toArray(new String[0]);
    }

    /**
     * GET /api/v1/compare?by=model,config&amp;window=|from=&amp;to=&amp;filters&amp;sort=&amp;order=&amp;limit=
     * &amp;source=&amp;baseline=
     */
    public void compare(final Context ctx) {
        final QueryParams q = QueryParams.of(ctx, names("sort", "order", "baseline"));
        final EmbeddedStore store = holder.get().store;
        final GroupKey[] keys = keys(q);
        final Compare compare = query(ctx, q, store, keys);
        final String sortText = q.get("sort");
        if (sortText != null) {
            try {
                compare.sortBy(Metric.parse(sortText));
            } catch (final IllegalArgumentException e) {
                throw ApiException.badParameter("sort", e.getMessage(), METRICS);
            }
        }
        final String order = q.get("order");
        if (order != null && !ORDERS.contains(order)) {
            throw ApiException.badParameter("order", "order must be asc or desc but was '" + order + "'", ORDERS);
        }
        compare.descending(!"asc".equals(order));
        compare.limit(q.integer("limit", DEFAULT_GROUPS, 1, MAX_GROUPS));
        final String baselineText = q.get("baseline");
        final GroupValues baseline = baselineText == null ? null : baseline(baselineText, keys);
        compare.baseline(baseline);
        final Comparison c = run(ctx, compare);
        if (c == null) {
            return;
        }
        if (baseline != null && c.baseline() == null) {
            throw ApiException.badParameter("baseline", "no group " + label(baseline) + " in the comparison's "
                + c.groupCount() + " groups over its range and filters");
        }
        Json.stream(ctx, 200, g -> {
            g.writeStartObject();
            head(g, c);
            g.writeStringField("sort", sortText == null ? Metric.COUNT.key() : sortText);
            g.writeStringField("order", "asc".equals(order) ? "asc" : "desc");
            if (c.baseline() != null) {
                g.writeFieldName("baseline");
                values(g, keys, c.baseline().values());
            }
            g.writeArrayFieldStart("groups");
            for (final Comparison.Group group : c.groups()) {
                StatsWriter.window(g, group.stats(), model(q), label(group.values()), null, null, w -> {
                    w.writeFieldName("values");
                    values(w, keys, group.values());
                    if (c.baseline() != null) {
                        significance(w, c.baseline().stats(), group.stats());
                    }
                });
            }
            g.writeEndArray();
            other(g, c, model(q));
            g.writeEndObject();
        });
    }

    /**
     * GET /api/v1/best?by=config&amp;weights=quality:2,p95:1,costPerSuccess:1,successRate:1&amp;quality=&amp;window
     * &amp;filters&amp;source=&amp;limit=
     */
    public void best(final Context ctx) {
        final QueryParams q = QueryParams.of(ctx, names("weights", "quality"));
        final EmbeddedStore store = holder.get().store;
        final GroupKey[] keys = keys(q);
        final Weights weights = weights(q.get("weights"));
        final String quality = q.get("quality");
        if (quality == null && weights.quality() > 0) {
            throw ApiException.badParameter("quality", "quality (the name of a quality score) is required while "
                + "the weight of quality is above 0; or give weights without quality");
        }
        final int limit = q.integer("limit", DEFAULT_GROUPS, 1, MAX_GROUPS);
        final Compare compare = query(ctx, q, store, keys).limit(MAX_GROUPS);
        final Comparison c = run(ctx, compare);
        if (c == null) {
            return;
        }
        final Map<String, Components> candidates = new LinkedHashMap<>();
        final Map<String, Comparison.Group> byName = new LinkedHashMap<>();
        for (final Comparison.Group group : c.groups()) {
            final String name = label(group.values());
            candidates.put(name, Components.of(group.stats(), quality));
            byName.put(name, group);
        }
        final List<Ranking> ranked = BestConfiguration.rank(candidates, weights);
        Json.stream(ctx, 200, g -> {
            g.writeStartObject();
            head(g, c);
            g.writeObjectFieldStart("weights");
            for (final Component k : Component.values()) {
                Json.number(g, k.key(), weights.weight(k));
            }
            g.writeEndObject();
            if (quality == null) {
                g.writeNullField("quality");
            } else {
                g.writeStringField("quality", quality);
            }
            g.writeArrayFieldStart("rankings");
            for (final Ranking r : ranked.subList(0, Math.min(limit, ranked.size()))) {
                final Comparison.Group group = byName.get(r.name());
                g.writeStartObject();
                g.writeNumberField("rank", r.rank());
                g.writeStringField("name", r.name());
                g.writeFieldName("values");
                values(g, keys, group.values());
                Json.number(g, "score", r.score());
                g.writeBooleanField("incomplete", r.incomplete());
                g.writeNumberField("count", group.stats().count());
                g.writeArrayFieldStart("components");
                for (final ComponentScore s : r.components()) {
                    g.writeStartObject();
                    g.writeStringField("component", s.component().key());
                    Json.number(g, "raw", s.raw());
                    Json.number(g, "normalised", s.normalised());
                    Json.number(g, "weight", s.weight());
                    Json.number(g, "weighted", s.weighted());
                    g.writeBooleanField("missing", s.missing());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static GroupKey[] keys(final QueryParams q) {
        final String by = q.get("by");
        if (by == null) {
            throw ApiException.badParameter("by", "by is required: one or two keys, e.g. by=model,config",
                GroupKey.valid());
        }
        final String[] parts = by.split(",", -1);
        if (parts.length > JournalScan.MAX_KEYS) {
            throw ApiException.badParameter("by", "by takes one or two keys, not " + parts.length, GroupKey.valid());
        }
        final GroupKey[] keys = new GroupKey[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                keys[i] = GroupKey.parse(parts[i].trim());
            } catch (final IllegalArgumentException e) {
                throw ApiException.badParameter("by", e.getMessage(), GroupKey.valid());
            }
        }
        if (keys.length == 2 && keys[0].equals(keys[1])) {
            throw ApiException.badParameter("by", "by names " + keys[0] + " twice");
        }
        return keys;
    }

    /** The comparison of the parameters both routes share: range, filters, source, keys. */
    private Compare query(final Context ctx, final QueryParams q, final EmbeddedStore store, final GroupKey[] keys) {
        final long retentionMs = Math.max(Math.max(store.config().retentionMs(), 25 * 3_600_000L),
            store.journal() == null ? 0 : store.config().journalRetentionMs());
        final long[] range = q.range(store.config().clock().time(), retentionMs, QueryController.DEFAULT_WINDOW_MS);
        final EventFilter filter = QueryController.eventFilter(q, store);
        final String sourceText = q.get("source");
        Source source = Source.AUTO;
        if (sourceText != null) {
            try {
                source = Source.parse(sourceText);
            } catch (final IllegalArgumentException e) {
                throw ApiException.badParameter("source", e.getMessage(), SOURCES);
            }
        }
        final Compare compare = store.compare().by(keys).between(range[0], range[1]).where(filter).source(source)
            .timeLimitMs(scanTimeoutMs).cancelWhen(ClientConnection.goneCheck(ctx));
        try {
            compare.resolvedSource();
        } catch (final IllegalArgumentException e) {
            throw ApiException.badParameter(refusedBy(keys, filter, source), e.getMessage(), SOURCES);
        }
        return compare;
    }

    /** @return the parameter at fault when the source cannot answer: a key, a filter, or the source itself. */
    private static String refusedBy(final GroupKey[] keys, final EventFilter filter, final Source source) {
        final String missing = Aggregates.notInMemory(keys, filter);
        if (missing == null || source == Source.SCAN) {
            return "source";
        }
        for (final GroupKey k : keys) {
            if (k.toString().equals(missing)) {
                return "by";
            }
        }
        return missing;
    }

    /** @return the comparison, or null if its client went away during a scan. */
    private Comparison run(final Context ctx, final Compare compare) {
        if (compare.resolvedSource() != Source.SCAN) {
            return compare.run();
        }
        if (!scans.tryStart()) {
            throw ApiException.tooManyRequests("two journal scans are already running; retry shortly", 1);
        }
        try {
            return compare.run();
        } catch (final ScanStoppedException e) {
            if (!e.timedOut()) {
                scans.cancelled();
                return null;
            }
            scans.timedOut();
            throw ApiException.unavailable(e.getMessage(), 1);
        } finally {
            scans.end();
        }
    }

    private static GroupValues baseline(final String text, final GroupKey[] keys) {
        if (keys.length < 2) {
            return new GroupValues(text, null);
        }
        final int comma = text.indexOf(',');
        if (comma < 0) {
            throw ApiException.badParameter("baseline", "grouped by two keys, baseline is FIRST,SECOND (e.g. "
                + "baseline=gpt-4o,cfg-a) but was '" + text + "'");
        }
        return new GroupValues(text.substring(0, comma), text.substring(comma + 1));
    }

    private static String label(final GroupValues v) {
        return v.second() == null ? v.first() : v.first() + "," + v.second();
    }

    private static String model(final QueryParams q) {
        final String model = q.get(FieldNames.MODEL);
        return model == null ? "all" : model;
    }

    private static void head(final JsonGenerator g, final Comparison c) throws IOException {
        g.writeArrayFieldStart("by");
        for (final GroupKey k : c.keys()) {
            g.writeString(k.toString());
        }
        g.writeEndArray();
        g.writeStringField("source", c.source().wireName());
        Json.time(g, "from", c.fromMs());
        Json.time(g, "to", c.toMs());
        Json.time(g, "coveredFrom", c.coveredFromMs());
        Json.time(g, "coveredTo", c.coveredToMs());
        g.writeBooleanField("incomplete", c.incomplete());
        g.writeNumberField("groupCount", c.groupCount());
        g.writeNumberField("recordsScanned", c.recordsRead());
        g.writeBooleanField("twoPasses", c.twoPasses());
    }

    private static void values(final JsonGenerator g, final GroupKey[] keys, final GroupValues v) throws IOException {
        g.writeStartObject();
        if (keys.length > 0) {
            g.writeStringField(keys[0].toString(), v.first());
        }
        if (keys.length > 1) {
            g.writeStringField(keys[1].toString(), v.second());
        }
        g.writeEndObject();
    }

    private static void other(final JsonGenerator g, final Comparison c, final String model) throws IOException {
        if (c.other() == null) {
            g.writeNullField("other");
        } else {
            g.writeFieldName("other");
            StatsWriter.window(g, c.other(), model, null);
        }
    }

    /**
     * The group's difference from the baseline: P95 latency (ms), error rate and the mean of each quality score both
     * carry (Welch), each with its verdict.
     */
    private static void significance(final JsonGenerator g, final WindowStats baseline, final WindowStats group)
        throws IOException {
        g.writeObjectFieldStart("significance");
        g.writeFieldName("p95LatencyMs");
        final dev.ringmeter.core.decide.Comparison p95 = baseline.latencyHistogramUs() == null
            || group.latencyHistogramUs() == null ? null
            : Significance.percentile(baseline.latencyHistogramUs(), group.latencyHistogramUs(), 95,
                Direction.LOWER_IS_BETTER).scaled(1e-3);
        comparison(g, p95);
        g.writeFieldName("errorRate");
        comparison(g, Significance.rate(baseline.errorCount(), baseline.count(), group.errorCount(), group.count(),
            Direction.LOWER_IS_BETTER));
        g.writeObjectFieldStart("quality");
        final Map<String, WindowStats.QualityScore> base = baseline.qualityScores();
        for (final Map.Entry<String, WindowStats.QualityScore> e : group.qualityScores().entrySet()) {
            final WindowStats.QualityScore a = base.get(e.getKey());
            if (a != null) {
                final WindowStats.QualityScore b = e.getValue();
                g.writeFieldName(e.getKey());
                comparison(g, Significance.mean(a.count(), a.mean(), variance(a), b.count(), b.mean(), variance(b),
                    Direction.HIGHER_IS_BETTER));
            }
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    /** @return the score's sample variance; 0 for a single score (a mean of one has no spread to measure). */
    private static double variance(final WindowStats.QualityScore q) {
        final double sd = q.standardDeviation();
        return sd == sd ? sd * sd : 0;
    }

    private static void comparison(final JsonGenerator g, final dev.ringmeter.core.decide.Comparison c)
        throws IOException {
        if (c == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeStringField("verdict", c.verdict().name().toLowerCase(Locale.ROOT));
        if (c.reason() == null) {
            g.writeNullField("reason");
        } else {
            g.writeStringField("reason", c.reason());
        }
        g.writeNumberField("baselineN", c.a().n());
        Json.number(g, "baseline", c.a().value());
        g.writeNumberField("n", c.b().n());
        Json.number(g, "value", c.b().value());
        Json.number(g, "difference", c.difference());
        Json.number(g, "relativePercent", c.relativePercent());
        Json.number(g, "lower", c.interval().lower());
        Json.number(g, "upper", c.interval().upper());
        Json.number(g, "confidenceLevel", c.confidenceLevel());
        g.writeStringField("method", c.method().name().toLowerCase(Locale.ROOT));
        g.writeEndObject();
    }

    /** @return the weights of {@code quality:2,p95:1,costPerSuccess:1,successRate:1}; every one 1 when absent. */
    private static Weights weights(final String text) {
        if (text == null) {
            return Weights.EQUAL;
        }
        final double[] w = new double[4];
        for (final String part : text.split(",", -1)) {
            final int colon = part.indexOf(':');
            final int at = colon <= 0 ? -1 : WEIGHTS.indexOf(part.substring(0, colon).trim());
            if (at < 0) {
                throw ApiException.badParameter("weights", "weights is a list of NAME:WEIGHT with names quality, "
                    + "p95, costPerSuccess, successRate (e.g. quality:2,p95:1) but has '" + part + "'", WEIGHTS);
            }
            try {
                w[at] = Double.parseDouble(part.substring(colon + 1).trim());
            } catch (final NumberFormatException e) {
                throw ApiException.badParameter("weights", "the weight of " + WEIGHTS.get(at) + " must be a number "
                    + "but was '" + part.substring(colon + 1) + "'");
            }
        }
        try {
            return new Weights(w[0], w[1], w[2], w[3]);
        } catch (final IllegalArgumentException e) {
            throw ApiException.badParameter("weights", e.getMessage());
        }
    }
}
