package dev.ringmeter.core.watch;

import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.decide.Direction;
import dev.ringmeter.core.query.Metric;
import dev.ringmeter.core.query.SeriesMetric;
import dev.ringmeter.core.query.Subject;
import dev.ringmeter.core.query.WindowStats;
import org.agrona.concurrent.EpochClock;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The store's anomaly watch: for each model the aggregates hold, one {@link AnomalyDetector} per watched metric
 * ({@link #WATCHED}: P95 and P99 latency, TTFT P95, error rate, output tokens/s and cost per minute), fed once per
 * closed minute the metric of that minute, read from the in-memory aggregates. A minute [m, m + 1 min) is closed
 * once the store clock passes m + 1 min + the lateness allowance ({@code StoreConfig#anomalyLatenessMs}), so that
 * late events count in it. Models only: a pipeline, step, tool or agent would multiply the detectors by every
 * subject's cardinality for series whose calls the model's series already watch.
 * <p>
 * Anomalies are kept by journaling them: each start and each end goes into the ring as an ANOMALY record
 * ({@link Publisher}), journaled, then applied to the {@link AnomalyLog} by the aggregate writer, live and at
 * replay; {@link #open} answers from that log. A record the ring had no room for is kept in a queue and sent
 * again at the next tick, which feeds no minute until the queue is empty: the queue holds at most what one tick
 * produced.
 * <p>
 * A model first seen (every model, at the first tick after the store opens) is primed: its detectors are fed the
 * last {@link AnomalyParameters#window()} closed minutes the aggregates still hold (replayed from the snapshot and
 * the journal) without journaling what they conclude, so a restart needs no new hour of data before a verdict.
 * Then an anomaly the log holds open on one of its metrics is continued if the primed detector is in an anomaly,
 * else ended (at the minute its detector ended one after it started, or at the first minute not primed); a
 * detector in an anomaly the log does not hold open starts one.
 * <p>
 * Memory: per model {@link #BYTES_PER_MODEL} bytes (six detectors of 2.0 KB and their bookkeeping), counted per
 * model in {@code HeapBudget}; models are bounded by the dictionary's model limit.
 * <p>
 * Threading: {@link #tick} runs on one daemon thread, {@value #THREAD_NAME}, every interval (started by
 * {@link #start}, stopped by {@link #close}), or on a caller's thread (tests); it is synchronized, so one tick at a
 * time. It never runs on the ring's consumers: it reads the aggregates as any query does and waits for a ring slot
 * only as the store's other commands do. {@link #open} is answered from the log from any thread without blocking
 * the tick.
 */
public final class AnomalyWatch implements AnomalyView, AutoCloseable {
    /** The thread's name. */
    public static final String THREAD_NAME = "ringmeter-anomaly-watch";
    private static final System.Logger LOG = System.getLogger(AnomalyWatch.class.getName());
    private static final long MINUTE_MS = 60_000;
    private static final long CLOSE_TIMEOUT_MS = 5_000;

    /**
     * A watched metric: its key, its direction and the detector's settings.
     *
     * @param metric     the metric.
     * @param parameters the detector's settings.
     */
    public record Watched(SeriesMetric metric, AnomalyParameters parameters) {
        public Watched {
            Objects.requireNonNull(metric, "metric");
            Objects.requireNonNull(parameters, "parameters");
            if (metric.key().length() > MAX_METRIC_KEY_CHARS) {
                throw new IllegalArgumentException(metric + " is longer than " + MAX_METRIC_KEY_CHARS + " chars");
            }
            if (metric.direction() == null) {
                throw new IllegalArgumentException(metric + " is neither better nor worse higher");
            }
        }
    }

    /**
     * The watched metrics. The measured defaults (docs/alerts.md), with a floor on the scale in the metric's unit
     * where its median can be 0: 0.005 for the error rate (as measured), a micro-dollar for the cost of a minute
     * (a model whose calls cost nothing would otherwise score its first priced minute as infinite).
     */
    public static final List<Watched> WATCHED = List.of(
        new Watched(SeriesMetric.of(Metric.P95), AnomalyParameters.DEFAULTS),
        new Watched(SeriesMetric.of(Metric.P99), AnomalyParameters.DEFAULTS),
        new Watched(SeriesMetric.of(Metric.TTFT_P95), AnomalyParameters.DEFAULTS),
        new Watched(SeriesMetric.of(Metric.ERROR_RATE), AnomalyParameters.DEFAULTS.withMinScale(0.005)),
        new Watched(SeriesMetric.of(Metric.OUTPUT_TOKENS_PER_SECOND), AnomalyParameters.DEFAULTS),
        new Watched(SeriesMetric.of(Metric.COST), AnomalyParameters.DEFAULTS.withMinScale(1e-6)));

    /** The longest metric key the watch journals (the journal's block size is checked against it). */
    public static final int MAX_METRIC_KEY_CHARS = 32;

    /** The heap one model's watch holds at most: its detectors and their bookkeeping, bytes. */
    public static final long BYTES_PER_MODEL = WATCHED.size() * (16L * AnomalyParameters.DEFAULTS.window() + 100 + 16)
        + 200;

    /** Puts an anomaly's start or end into the store's ring. */
    @FunctionalInterface
    public interface Publisher {
        /**
         * @param anomaly its start (open) or its end.
         * @return false if the ring had no room: it is offered again later.
         */
        boolean publish(Anomaly anomaly);
    }

    private final Aggregates aggregates;
    private final AnomalyLog log;
    private final Publisher publisher;
    private final EpochClock clock;
    private final long latenessMs;
    private final long intervalMs;
    private final WindowStats stats;
    private final Map<String, ModelWatch> models = new HashMap<>();
    private final ArrayDeque<Anomaly> unsent = new ArrayDeque<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, THREAD_NAME);
        t.setDaemon(true);
        return t;
    });
    private long lastId;

    /** One model's detectors, and the id of the anomaly under way on each (0: none). */
    private static final class ModelWatch {
        final Subject subject;
        final AnomalyDetector[] detectors = new AnomalyDetector[WATCHED.size()];
        final long[] openIds = new long[WATCHED.size()];
        final long[] openStarts = new long[WATCHED.size()];
        /** The start of the next minute to feed. */
        long nextMinuteMs;

        ModelWatch(final String model) {
            this.subject = Subject.model(model);
            for (int i = 0; i < detectors.length; i++) {
                detectors[i] = new AnomalyDetector(WATCHED.get(i).parameters(), WATCHED.get(i).metric().direction());
            }
        }
    }

    /**
     * @param aggregates the store's aggregates, read for each closed minute and holding the log.
     * @param publisher  puts a start or end into the ring.
     * @param clock      the store's clock.
     * @param latenessMs how long after its end a minute is closed.
     * @param intervalMs between ticks on the watch's thread.
     */
    public AnomalyWatch(final Aggregates aggregates, final Publisher publisher, final EpochClock clock,
                        final long latenessMs, final long intervalMs) {
        this.aggregates = Objects.requireNonNull(aggregates, "aggregates");
        this.log = aggregates.anomalies();
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (latenessMs < 0 || intervalMs < 1) {
            throw new IllegalArgumentException("latenessMs must be >= 0 and intervalMs >= 1: " + latenessMs + ", "
                + intervalMs);
        }
        this.latenessMs = latenessMs;
        this.intervalMs = intervalMs;
        this.stats = aggregates.newWindowStats();
        this.lastId = log.lastId();
    }

    /** Starts ticking every interval on the watch's thread. */
    public void start() {
        thread.scheduleWithFixedDelay(this::tickLogged, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    private void tickLogged() {
        try {
            tick();
        } catch (final RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "anomaly watch tick failed; retried at the next one", e);
        }
    }

    /**
     * Feeds every model's detectors the minutes closed since the last tick (priming a model first seen), and
     * puts the anomalies that start or end into the ring.
     *
     * @throws IllegalStateException if the store is closed.
     */
    public synchronized void tick() {
        final long closedEndMs = Math.floorDiv(clock.time() - latenessMs, MINUTE_MS) * MINUTE_MS;
        sendUnsent();
        if (!unsent.isEmpty()) {
            return;   // the ring is stuck: feed nothing more until it takes what waits, then catch up
        }
        for (final String model : aggregates.models()) {
            ModelWatch w = models.get(model);
            if (w == null) {
                w = new ModelWatch(model);
                models.put(model, w);
                prime(w, closedEndMs);
                continue;
            }
            final long from = Math.max(w.nextMinuteMs, closedEndMs - maxCatchUpMs());
            for (long m = from; m < closedEndMs; m += MINUTE_MS) {
                feed(w, m);
            }
            w.nextMinuteMs = Math.max(w.nextMinuteMs, closedEndMs);
        }
    }

    /** The most minutes fed at once: a baseline's worth (after a stall, older minutes are skipped). */
    private static long maxCatchUpMs() {
        return AnomalyParameters.DEFAULTS.window() * MINUTE_MS;
    }

    private void prime(final ModelWatch w, final long closedEndMs) {
        for (long m = closedEndMs - maxCatchUpMs(); m < closedEndMs; m += MINUTE_MS) {
            aggregates.subjectWindow(w.subject, m, m + MINUTE_MS, stats);
            for (int i = 0; i < w.detectors.length; i++) {
                w.detectors[i].update(m, value(i));
            }
        }
        w.nextMinuteMs = closedEndMs;
        for (int i = 0; i < w.detectors.length; i++) {
            final AnomalyDetector d = w.detectors[i];
            final Anomaly before = log.open(w.subject, WATCHED.get(i).metric().key());
            if (before != null && d.active()) {
                w.openIds[i] = before.id();
                w.openStarts[i] = before.startMs();
            } else if (before != null) {
                final long endMs = d.kind() != null && d.endMs() > before.startMs() ? d.endMs() : closedEndMs;
                send(new Anomaly(before.id(), before.subject(), before.metric(), before.kind(), before.startMs(),
                    Math.max(endMs, before.startMs() + MINUTE_MS), before.expected(), before.observed(),
                    before.score()));
            } else if (d.active()) {
                started(w, i, d);
            }
        }
    }

    private void feed(final ModelWatch w, final long minuteStartMs) {
        aggregates.subjectWindow(w.subject, minuteStartMs, minuteStartMs + MINUTE_MS, stats);
        for (int i = 0; i < w.detectors.length; i++) {
            final AnomalyDetector d = w.detectors[i];
            final AnomalyDetector.Status status = d.update(minuteStartMs, value(i));
            if (status == AnomalyDetector.Status.STARTED) {
                started(w, i, d);
            } else if (status == AnomalyDetector.Status.ENDED && w.openIds[i] != 0) {
                send(new Anomaly(w.openIds[i], w.subject, WATCHED.get(i).metric().key(), d.kind(), w.openStarts[i],
                    d.endMs(), d.expected(), d.observed(), d.score()));
                w.openIds[i] = 0;
            }
        }
    }

    private double value(final int metric) {
        return stats.count() == 0 ? Double.NaN : WATCHED.get(metric).metric().of(stats);
    }

    private void started(final ModelWatch w, final int i, final AnomalyDetector d) {
        final long id = ++lastId;
        w.openIds[i] = id;
        w.openStarts[i] = d.startMs();
        send(new Anomaly(id, w.subject, WATCHED.get(i).metric().key(), d.kind(), d.startMs(), 0, d.expected(),
            d.observed(), d.score()));
    }

    private void send(final Anomaly anomaly) {
        if (!unsent.isEmpty() || !publisher.publish(anomaly)) {
            unsent.addLast(anomaly);
        }
    }

    private void sendUnsent() {
        while (!unsent.isEmpty() && publisher.publish(unsent.peekFirst())) {
            unsent.removeFirst();
        }
    }

    @Override
    public Anomaly open(final Subject subject, final String metric) {
        return log.open(subject, metric);
    }

    /** Stops the thread, waiting for a tick under way. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, THREAD_NAME + " did not stop within " + CLOSE_TIMEOUT_MS + " ms");
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
