package dev.ringmeter.server.query;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.journal.Journal;
import dev.ringmeter.core.journal.JournalScan;
import dev.ringmeter.core.query.EventFilter;
import dev.ringmeter.core.journal.ScanStoppedException;
import dev.ringmeter.core.query.Metric;
import dev.ringmeter.core.query.Series;
import dev.ringmeter.core.query.SeriesMetric;
import dev.ringmeter.core.query.Subject;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.server.StoreHolder;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.ClientConnection;
import dev.ringmeter.server.http.Json;
import dev.ringmeter.server.http.QueryParams;
import dev.ringmeter.server.ingest.PricingController;
import dev.ringmeter.wire.FieldNames;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The read routes of /api/v1: windowed analytics, series, models, recent events and custom metrics. Each method
 * checks its parameters ({@link QueryParams}) and asks the store's aggregates; a query's cost depends on the number
 * of buckets it merges, never on the number of events.
 * <p>
 * Threading: any request thread; a {@link WindowStats} per thread is reused across requests.
 */
public final class QueryController {
    static final long DEFAULT_WINDOW_MS = 5 * 60_000L;
    static final int MAX_SERIES_POINTS = 10_000;
    private static final List<String> GROUP_BY = List.of(FieldNames.MODEL, FieldNames.OPERATION, FieldNames.PIPELINE,
        FieldNames.STEP, FieldNames.RUN, FieldNames.TASK, FieldNames.CONFIG, FieldNames.ERROR_TYPE, FieldNames.PROVIDER,
        FieldNames.TOOL, FieldNames.AGENT, FieldNames.STATUS, "tag:NAME");
    /** The dimensions a journal scan filters on, each by a parameter named as its event field. */
    private static final Dimension[] FILTERS = {Dimension.OPERATION, Dimension.PIPELINE, Dimension.STEP,
        Dimension.RUN, Dimension.TASK, Dimension.CONFIG, Dimension.ERROR_TYPE, Dimension.PROVIDER, Dimension.TOOL,
        Dimension.AGENT};
    /** Groups a scan's reply holds unless its {@code limit} parameter says otherwise. */
    static final int DEFAULT_GROUPS = 100;
    /** The most groups a scan's reply may hold: each costs the scan a window's analytics (tens of KB). */
    static final int MAX_GROUPS = 1_000;

    private final StoreHolder holder;
    private final ThreadLocal<WindowStats> stats;
    private final long scanTimeoutMs;
    private final ScanCounters scanCounters;

    /**
     * @param holder        the store.
     * @param scanTimeoutMs how long a journal scan may run before it ends with 503.
     * @param scanCounters  counts the scans that end early.
     */
    public QueryController(final StoreHolder holder, final long scanTimeoutMs, final ScanCounters scanCounters) {
        this.holder = holder;
        this.scanTimeoutMs = scanTimeoutMs;
        this.scanCounters = scanCounters;
        this.stats = ThreadLocal.withInitial(() -> holder.get().store.aggregates().newWindowStats());
    }

    /**
     * GET /api/v1/analytics?model=&window=|from=&to= from the live aggregates, and so for one pipeline, pipeline step
     * (pipeline= and step=), tool or agent; with groupBy=, any other filter (operation, run, task, config,
     * errorType, provider, status, tag=KEY:VALUE) or more than one subject at once, from a journal scan. The reply's
     * {@code source} says which answered.
     */
    public void analytics(final Context ctx) {
        final QueryParams q = QueryParams.of(ctx, FieldNames.MODEL, "window", "from", "to", "groupBy", "limit",
            FieldNames.OPERATION, FieldNames.PIPELINE, FieldNames.STEP, FieldNames.RUN, FieldNames.TASK,
            FieldNames.CONFIG, FieldNames.ERROR_TYPE, FieldNames.PROVIDER, FieldNames.TOOL, FieldNames.AGENT,
            FieldNames.STATUS, "tag");
        final EmbeddedStore store = holder.get().store;
        final Subject subject = q.get("groupBy") != null || q.get(FieldNames.STATUS) != null || q.get("tag") != null
            || Arrays.stream(FILTERS).anyMatch(f -> !isSubjectField(f) && q.get(f.field()) != null)
            ? null : Subjects.of(q);
        if (subject == null && (q.get("groupBy") != null || q.get(FieldNames.STATUS) != null || q.get("tag") != null
            || Arrays.stream(FILTERS).anyMatch(f -> q.get(f.field()) != null))) {
            scan(ctx, q, store);
            return;
        }
        final long[] range = q.range(store.config().clock().time(), store.config().retentionMs(), DEFAULT_WINDOW_MS);
        if (subject != null && subject.kind() != Subject.Kind.MODEL) {
            Subjects.known(store, subject);
            final WindowStats s = store.aggregates().subjectWindow(subject, range[0], range[1], stats.get());
            Json.reply(ctx, 200, g -> StatsWriter.window(g, s, null, null, subject, Subjects.MEMORY, null));
            return;
        }
        final String model = q.get(FieldNames.MODEL);
        if (model != null) {
            knownModel(store, model, FieldNames.MODEL);
        }
        windows(ctx, Windows.MODELS, store.aggregates(), model, range);
    }

    private void scan(final Context ctx, final QueryParams q, final EmbeddedStore store) {
        final long[] range = q.range(store.config().clock().time(),
            Math.max(store.config().retentionMs(), store.config().journalRetentionMs()), DEFAULT_WINDOW_MS);
        final JournalScan scan = new JournalScan(store).between(range[0], range[1]);
        final String model = q.get(FieldNames.MODEL);
        scan.where(eventFilter(q, store));
        final String groupBy = q.get("groupBy");
        if (groupBy != null) {
            groupBy(scan, groupBy);
        }
        scan.limit(q.integer("limit", DEFAULT_GROUPS, 1, MAX_GROUPS)).timeLimitMs(scanTimeoutMs)
            .cancelWhen(ClientConnection.goneCheck(ctx));
        if (!scanCounters.tryStart()) {
            throw ApiException.tooManyRequests("two journal scans are already running; retry shortly", 1);
        }
        final Map<String, WindowStats> groups;
        try {
            groups = scan.run();
        } catch (final ScanStoppedException e) {
            if (!e.timedOut()) {
                scanCounters.cancelled();
                return;   // its client has gone: nobody to answer
            }
            scanCounters.timedOut();
            throw ApiException.unavailable(e.getMessage(), 1);
        } finally {
            scanCounters.end();
        }
        Json.stream(ctx, 200, g -> {
            g.writeStartObject();
            Json.time(g, "from", range[0]);
            Json.time(g, "to", range[1]);
            if (groupBy == null) {
                g.writeNullField("groupBy");
            } else {
                g.writeStringField("groupBy", groupBy);
            }
            g.writeStringField("source", Subjects.JOURNAL);
            g.writeNumberField("recordsScanned", scan.recordsRead());
            g.writeBooleanField("twoPasses", scan.twoPasses());
            g.writeArrayFieldStart("groups");
            for (final Map.Entry<String, WindowStats> group : groups.entrySet()) {
                StatsWriter.window(g, group.getValue(), model == null ? "all" : model, group.getKey());
            }
            g.writeEndArray();
            if (scan.other() == null) {
                g.writeNullField("other");
            } else {
                g.writeFieldName("other");
                StatsWriter.window(g, scan.other(), model == null ? "all" : model, null);
            }
            g.writeEndObject();
        });
    }

    /**
     * The one reading of the event filters a query takes: a value per event field (model, operation, pipeline ...),
     * {@code status} and {@code tag=KEY:VALUE}.
     *
     * @param q     the query's parameters.
     * @param store whose anonymization turns a raw value of a hashed field into the hash the events carry.
     * @return the filter.
     * @throws ApiException 400 naming a bad status or tag.
     */
    static EventFilter eventFilter(final QueryParams q, final EmbeddedStore store) {
        final EventFilter filter = new EventFilter();
        for (final Dimension d : Dimension.EVENT_FIELDS) {
            final String value = q.get(d.field());
            if (value != null) {
                final String stored = store.config().anonymizer().lookupKey(d, value);
                filter.where(d, stored == null ? value : stored);
            }
        }
        final String status = q.get(FieldNames.STATUS);
        if (status != null) {
            try {
                filter.whereStatus(Status.parse(status));
            } catch (final IllegalArgumentException e) {
                throw ApiException.badParameter(FieldNames.STATUS, e.getMessage(), Status.wireNames());
            }
        }
        final String tag = q.get("tag");
        if (tag != null) {
            final int colon = tag.indexOf(':');
            if (colon <= 0) {
                throw ApiException.badParameter("tag", "tag must be KEY:VALUE, e.g. tag=region:eu");
            }
            filter.whereTag(tag.substring(0, colon), tag.substring(colon + 1));
        }
        return filter;
    }

    private static void groupBy(final JournalScan scan, final String groupBy) {
        if (groupBy.startsWith("tag:") && groupBy.length() > 4) {
            scan.groupByTag(groupBy.substring(4));
            return;
        }
        final JournalScan.GroupBy by;
        switch (groupBy) {
            case FieldNames.ERROR_TYPE:
                by = JournalScan.GroupBy.ERROR_TYPE;
                break;
            case FieldNames.MODEL: case FieldNames.OPERATION: case FieldNames.PIPELINE: case FieldNames.STEP:
            case FieldNames.RUN: case FieldNames.TASK: case FieldNames.CONFIG: case FieldNames.STATUS:
            case FieldNames.PROVIDER: case FieldNames.TOOL: case FieldNames.AGENT:
                by = JournalScan.GroupBy.valueOf(groupBy.toUpperCase(Locale.ROOT));
                break;
            default:
                throw ApiException.badParameter("groupBy", "cannot group by '" + groupBy + "'", GROUP_BY);
        }
        scan.groupBy(by);
    }

    /**
     * GET /api/v1/series?model=|pipeline=&step=|tool=|agent=&metric=&window=|from=&to=&step= from memory; metric is
     * one of {@link Metric} or quality:NAME.
     */
    public void series(final Context ctx) {
        final QueryParams q = QueryParams.of(ctx, TagFilters.REPEATABLE, SeriesRequest.PARAMS);
        final EmbeddedStore store = holder.get().store;
        final SeriesRequest request = SeriesRequest.of(q, store, MAX_SERIES_POINTS);
        final SeriesMetric metric = request.metric();
        final long[] range = {request.fromMs(), request.toMs()};
        final Series series = request.series(store, range[0]);
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            request.writeSubject(g);
            g.writeStringField("source", Subjects.MEMORY);
            g.writeStringField("metric", metric.key());
            Json.time(g, "from", range[0]);
            Json.time(g, "to", range[1]);
            g.writeNumberField("stepMs", series.stepMs());
            g.writeArrayFieldStart("points");
            for (int i = 0; i < series.size(); i++) {
                g.writeStartObject();
                g.writeNumberField("t", series.startMs()[i]);
                Json.number(g, "value", series.values()[i]);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** GET /api/v1/models */
    public void models(final Context ctx) {
        QueryParams.of(ctx);
        final EmbeddedStore store = holder.get().store;
        final Aggregates aggregates = store.aggregates();
        final long now = store.config().clock().time();
        final WindowStats s = stats.get();
        final List<String> models = aggregates.models();
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("models");
            for (final String m : models) {
                g.writeStartObject();
                g.writeStringField("model", m);
                final List<Event> last = aggregates.recent(m, 1);
                if (last.isEmpty()) {
                    g.writeNullField("lastEventAt");
                } else {
                    Json.time(g, "lastEventAt", last.get(0).timestampMs());
                }
                final double[] price = aggregates.price(m);
                if (price == null) {
                    g.writeNullField("price");
                } else {
                    g.writeFieldName("price");
                    PricingController.price(g, price);
                }
                g.writeFieldName("last5m");
                StatsWriter.window(g, aggregates.window(m, now + 1 - DEFAULT_WINDOW_MS, now + 1, s), m);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** GET /api/v1/models/{model}/recent?limit= */
    public void recent(final Context ctx) {
        final QueryParams q = QueryParams.of(ctx, "limit");
        final EmbeddedStore store = holder.get().store;
        final String model = ctx.pathParam("model");
        knownModel(store, model, "model");
        final int limit = q.integer("limit", 100, 1, 1000);
        final List<Event> events = store.aggregates().recent(model, limit);
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            g.writeStringField("model", model);
            g.writeArrayFieldStart("events");
            for (final Event e : events) {
                StatsWriter.event(g, e);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * GET /api/v1/metrics?name=&tag=KEY:VALUE...&window=|from=&to= : the stats of custom metrics, of the series whose
     * tags match every filter (all of a name's series without one).
     */
    public void customMetrics(final Context ctx) {
        final QueryParams q = QueryParams.of(ctx, TagFilters.REPEATABLE, "name", "window", "from", "to",
            TagFilters.PARAM);
        final EmbeddedStore store = holder.get().store;
        final long[] range = q.range(store.config().clock().time(), store.config().retentionMs(), DEFAULT_WINDOW_MS);
        final Map<String, String> tags = TagFilters.of(q);
        final String name = q.get("name");
        if (name != null && store.dictionary().find(Dimension.METRIC_NAME, name) == 0) {
            throw ApiException.notFound("name", "no custom metric named '" + truncate(name) + "'");
        }
        windows(ctx, Windows.METRICS, store.aggregates(), name, tags, range);
    }

    /**
     * Replies with the window of one name, or with {from, to, and a list of every name's window}.
     *
     * @param name  a known model or metric name, or null for every one.
     * @param range [from, to) in epoch ms.
     */
    private void windows(final Context ctx, final Windows kind, final Aggregates aggregates, final String name,
                         final long[] range) {
        windows(ctx, kind, aggregates, name, Map.of(), range);
    }

    /** As {@link #windows(Context, Windows, Aggregates, String, long[])}, a custom metric's with tag filters. */
    private void windows(final Context ctx, final Windows kind, final Aggregates aggregates, final String name,
                         final Map<String, String> tags, final long[] range) {
        final WindowStats s = stats.get();
        if (name != null) {
            kind.window(aggregates, name, tags, range, s);
            Json.reply(ctx, 200, g -> kind.write(g, aggregates, s, name));
            return;
        }
        final List<String> names = kind.names(aggregates);
        // streamed: the reply grows with the names (a few KB each), so it is not held whole and then copied
        Json.stream(ctx, 200, g -> {
            g.writeStartObject();
            Json.time(g, "from", range[0]);
            Json.time(g, "to", range[1]);
            g.writeArrayFieldStart(kind.list);
            for (final String n : names) {
                kind.write(g, aggregates, kind.window(aggregates, n, tags, range, s), n);
            }
            g.writeEndArray();
            kind.writeTotal(g, aggregates, range, s);
            g.writeEndObject();
        });
    }

    /** What the two windowed routes differ in: the names they list, the query of one name's window, its writer. */
    private enum Windows {
        /** The analytics of models, listed with those of all models together. */
        MODELS("models") {
            @Override
            List<String> names(final Aggregates aggregates) {
                return aggregates.models();
            }

            @Override
            WindowStats window(final Aggregates aggregates, final String name, final Map<String, String> tags,
                               final long[] range, final WindowStats s) {
                return aggregates.window(name, range[0], range[1], s);
            }

            @Override
            void write(final JsonGenerator g, final Aggregates aggregates, final WindowStats s, final String name)
                throws IOException {
                StatsWriter.window(g, s, name);
            }

            @Override
            void writeTotal(final JsonGenerator g, final Aggregates aggregates, final long[] range,
                            final WindowStats s) throws IOException {
                g.writeFieldName("all");
                StatsWriter.window(g, aggregates.window(null, range[0], range[1], s), "all");
            }
        },
        /** The stats of custom metrics. */
        METRICS("metrics") {
            @Override
            List<String> names(final Aggregates aggregates) {
                return aggregates.metricNames();
            }

            @Override
            WindowStats window(final Aggregates aggregates, final String name, final Map<String, String> tags,
                               final long[] range, final WindowStats s) {
                return aggregates.metricWindow(name, tags, range[0], range[1], s);
            }

            @Override
            void write(final JsonGenerator g, final Aggregates aggregates, final WindowStats s, final String name)
                throws IOException {
                StatsWriter.metric(g, s, name, aggregates.metricTags(name));
            }
        };

        /** The name of the list in the reply. */
        final String list;

        Windows(final String list) {
            this.list = list;
        }

        abstract List<String> names(Aggregates aggregates);

        /** @param tags a custom metric's tag filters; empty for none (a model's window takes none). */
        abstract WindowStats window(Aggregates aggregates, String name, Map<String, String> tags, long[] range,
                                    WindowStats s);

        abstract void write(JsonGenerator g, Aggregates aggregates, WindowStats s, String name) throws IOException;

        /** Writes what follows the list: nothing unless the kind has a total. */
        void writeTotal(final JsonGenerator g, final Aggregates aggregates, final long[] range, final WindowStats s)
            throws IOException {
        }
    }

    /** @return whether the dimension names a subject the aggregates keep: pipeline, step, tool, agent. */
    private static boolean isSubjectField(final Dimension d) {
        return d == Dimension.PIPELINE || d == Dimension.STEP || d == Dimension.TOOL || d == Dimension.AGENT;
    }

    /**
     * @throws ApiException 404 naming the field if the store has never seen the model.
     */
    static void knownModel(final EmbeddedStore store, final String model, final String field) {
        if (model.length() > store.config().maxStringLength()
            || store.dictionary().find(Dimension.MODEL, model) == 0) {
            throw ApiException.notFound(field, "unknown model '" + truncate(model) + "'");
        }
    }

    public static String truncate(final String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
