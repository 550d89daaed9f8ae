package dev.ringmeter.core.watch.alert;

import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.core.watch.Anomaly;
import dev.ringmeter.core.watch.AnomalyView;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Evaluates every alert rule from the in-memory aggregates (never the journal) and moves each rule's alert through
 * its states: inactive → pending (the condition holds, its {@code for} not yet elapsed) → firing (at the worse
 * severity crossed; a change of severity is a new firing notice) → resolved (the condition stopped holding: back to
 * inactive). With fewer than the rule's {@code minEvents} in the window (no data), an inactive rule stays inactive,
 * a pending one is cleared, and a firing one keeps firing at its severity until data shows the condition gone.
 * <p>
 * Each {@link #tick} computes a window once per (scope, window length) however many rules share it, journals the
 * transitions it decides through the ring, waits for them to be applied, then hands the new deliveries (one per
 * notice and target) to the sink: a notice reaches the sink only once its transition is journaled. A silenced
 * notice is journaled as silenced and not delivered.
 * <p>
 * Threading: {@link #tick} is called by one thread at a time: the evaluator's own thread
 * ({@code ringmeter-alert-eval}, started by {@link #start}) or a test. It reads the aggregates as any query does
 * and never blocks the ring's consumers.
 */
public final class AlertEvaluator implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AlertEvaluator.class.getName());
    /** How long a tick waits for its transitions to be journaled and applied. */
    private static final long APPLY_TIMEOUT_MS = 10_000;

    private final Aggregates aggregates;
    private final AlertTable table;
    private final Alerts.Ring ring;
    private final long intervalMs;
    private final Map<String, WindowStats> windows = new HashMap<>();
    private final List<WindowStats> pool = new ArrayList<>();
    private final List<AlertTransition> decided = new ArrayList<>();
    private volatile AnomalyView anomalies;
    private volatile NoticeSink sink;
    private Thread thread;
    private volatile boolean closed;

    /**
     * @param aggregates the store's aggregates.
     * @param table      the alert state.
     * @param ring       where transitions are journaled.
     * @param intervalMs how often the thread ticks; 0 for no thread.
     */
    public AlertEvaluator(final Aggregates aggregates, final AlertTable table, final Alerts.Ring ring,
                          final long intervalMs) {
        this.aggregates = aggregates;
        this.table = table;
        this.ring = ring;
        this.intervalMs = intervalMs;
    }

    /** @param view what anomaly rules read; null: they have no data. */
    public void anomalyView(final AnomalyView view) {
        this.anomalies = view;
    }

    /**
     * Sets where deliveries go, hands it the alerts firing now ({@link NoticeSink#stillFiring}: at open, those are
     * the alerts that fired before the restart, so a receiver that forgets an alert not sent again keeps it), and
     * hands it at once the deliveries without an outcome (at open, those of before the restart).
     *
     * @param noticeSink where deliveries go; null: they wait in the outbox.
     */
    public void sink(final NoticeSink noticeSink) {
        this.sink = noticeSink;
        if (noticeSink == null) {
            return;
        }
        final long nowMs = ring.timeMs();
        for (final AlertStatus s : table.statuses()) {
            if (s.state() == AlertState.FIRING) {
                final AlertRule rule = s.rule();
                final Notice firing = notice(rule, AlertTransition.Kind.FIRING, s.severity(), s.value(),
                    s.startsAtMs(), nowMs).notice();
                for (final Target target : rule.targets()) {
                    noticeSink.stillFiring(firing, target);
                }
            }
        }
        submit();
    }

    /** Starts the evaluator's thread, unless the interval is 0. */
    public synchronized void start() {
        if (intervalMs == 0 || thread != null) {
            return;
        }
        thread = new Thread(this::run, "ringmeter-alert-eval");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long next = System.currentTimeMillis();
        while (!closed) {
            try {
                tick(aggregatesTime());
            } catch (final InterruptedException e) {
                return;
            } catch (final RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "alert evaluation failed; trying again next tick", e);
            }
            next += intervalMs;
            final long waitMs = next - System.currentTimeMillis();
            if (waitMs > 0) {
                try {
                    synchronized (this) {
                        if (!closed) {
                            wait(waitMs);
                        }
                    }
                } catch (final InterruptedException e) {
                    return;
                }
            } else {
                next = System.currentTimeMillis();
            }
        }
    }

    private long aggregatesTime() {
        return ring.timeMs();
    }

    /**
     * Evaluates every rule once at nowMs, journals the transitions, and hands new deliveries to the sink.
     *
     * @param nowMs the store's time.
     * @return the transitions decided.
     * @throws InterruptedException if interrupted while waiting for the ring.
     * @throws IllegalStateException if a transition could not be journaled in time (the next tick decides again).
     */
    public List<AlertTransition> tick(final long nowMs) throws InterruptedException {
        windows.clear();
        int pooled = 0;
        decided.clear();
        final AnomalyView view = anomalies;
        for (final AlertStatus s : table.statuses()) {
            final AlertRule rule = s.rule();
            final double value;
            if (rule.metric().anomaly()) {
                final Anomaly a = view == null ? null : view.open(rule.scope().subject(), rule.metric().metric().key());
                value = a == null ? Double.NaN : a.score();
            } else {
                final String key = rule.scope().toString() + '|' + rule.windowMs();
                WindowStats w = windows.get(key);
                if (w == null && !windows.containsKey(key)) {
                    if (pooled == pool.size()) {
                        pool.add(aggregates.newWindowStats());
                    }
                    w = window(rule, nowMs, pool.get(pooled++));
                    windows.put(key, w);
                }
                value = w == null || w.count() < rule.minEvents() ? Double.NaN : rule.metric().of(w);
            }
            final boolean noData = Double.isNaN(value) && !rule.metric().anomaly() || rule.metric().anomaly()
                && view == null;
            table.noteValue(rule.id(), value);
            final AlertTransition t = decide(s, value, noData, nowMs);
            if (t != null) {
                decided.add(t);
            }
        }
        if (!decided.isEmpty()) {
            for (final AlertTransition t : decided) {
                if (!ring.publish(AlertCommand.transition(t))) {
                    throw new IllegalStateException("the ring stayed full; alert transitions wait for the next tick");
                }
            }
            if (!ring.flush(APPLY_TIMEOUT_MS)) {
                throw new IllegalStateException("alert transitions not journaled within " + APPLY_TIMEOUT_MS + " ms");
            }
        }
        submit();
        return List.copyOf(decided);
    }

    /**
     * Hands the deliveries this process has not handed yet to the sink, if there is one. A delivery the sink
     * rejects (it is full or closed: {@link java.util.concurrent.RejectedExecutionException}) and those after it are
     * handed again at the next tick.
     */
    void submit() {
        final NoticeSink s = sink;
        if (s == null) {
            return;
        }
        final List<AlertTable.Pending> pending = table.takeUnsubmitted();
        for (int i = 0; i < pending.size(); i++) {
            final AlertTable.Pending p = pending.get(i);
            try {
                s.submit(p.deliveryId(), p.notice(), p.target());
            } catch (final java.util.concurrent.RejectedExecutionException e) {
                for (int j = i; j < pending.size(); j++) {
                    table.unsubmitted(pending.get(j).deliveryId());
                }
                return;
            }
        }
    }

    /** @return the rule's window, or null for a configuration value with no events in it. */
    private WindowStats window(final AlertRule rule, final long nowMs, final WindowStats into) {
        final long fromMs = nowMs - rule.windowMs();
        switch (rule.scope().kind()) {
            case ALL:
                return aggregates.window(null, fromMs, nowMs, into);
            case SUBJECT:
                return aggregates.subjectWindow(rule.scope().subject(), fromMs, nowMs, into);
            default:
                return aggregates.configWindow(rule.scope().config(), fromMs, nowMs);
        }
    }

    private AlertTransition decide(final AlertStatus s, final double value, final boolean noData, final long nowMs) {
        final AlertRule rule = s.rule();
        final Severity severity = noData ? null : rule.severityOf(value);
        switch (s.state()) {
            case INACTIVE:
                if (severity == null) {
                    return null;
                }
                return rule.forMs() == 0 ? firing(rule, severity, value, nowMs, nowMs)
                    : new AlertTransition(rule.id(), nowMs, AlertTransition.Kind.PENDING, severity, value, nowMs,
                    false, null);
            case PENDING:
                if (severity == null) {
                    return new AlertTransition(rule.id(), nowMs, AlertTransition.Kind.CLEARED, s.severity(), value,
                        s.sinceMs(), false, null);
                }
                return nowMs - s.sinceMs() >= rule.forMs() ? firing(rule, severity, value, nowMs, nowMs) : null;
            default:
                if (noData || severity == s.severity()) {
                    return null;
                }
                if (severity == null) {
                    return notice(rule, AlertTransition.Kind.RESOLVED, s.severity(), value, s.startsAtMs(), nowMs);
                }
                return firing(rule, severity, value, s.startsAtMs(), nowMs);
        }
    }

    private AlertTransition firing(final AlertRule rule, final Severity severity, final double value,
                                   final long startsAtMs, final long nowMs) {
        return notice(rule, AlertTransition.Kind.FIRING, severity, value, startsAtMs, nowMs);
    }

    private AlertTransition notice(final AlertRule rule, final AlertTransition.Kind kind, final Severity severity,
                                   final double value, final long startsAtMs, final long nowMs) {
        final boolean firing = kind == AlertTransition.Kind.FIRING;
        final Map<String, String> labels = labels(rule, severity);
        final double threshold = rule.threshold(severity);
        final Notice notice = new Notice(dedupKey(rule.id(), startsAtMs, severity, firing), rule.id(), rule.name(),
            severity, firing, labels, summary(rule, severity, firing, value, threshold), value, threshold,
            startsAtMs, firing ? 0 : nowMs, "");
        return new AlertTransition(rule.id(), nowMs, kind, severity, value, startsAtMs,
            table.silenced(labels, nowMs), notice);
    }

    /**
     * @return the notice's dedup key: the same for the same rule, alert start, severity and firing or resolved.
     */
    public static String dedupKey(final String ruleId, final long startsAtMs, final Severity severity,
                                  final boolean firing) {
        return ruleId + ':' + startsAtMs + ':' + severity.label() + ':' + (firing ? "firing" : "resolved");
    }

    /** @return a rule's notice labels: its own, then alertname, rule, severity, scope and metric. */
    static Map<String, String> labels(final AlertRule rule, final Severity severity) {
        final Map<String, String> labels = new LinkedHashMap<>(rule.labels());
        labels.put("alertname", rule.name());
        labels.put("rule", rule.id());
        labels.put("severity", severity.label());
        labels.put("scope", rule.scope().toString());
        labels.put("metric", rule.metric().text());
        return labels;
    }

    /**
     * The summary: the rule's template with {@code {name}}, {@code {scope}}, {@code {metric}}, {@code {value}},
     * {@code {threshold}}, {@code {severity}} and {@code {state}} replaced, or a default sentence.
     */
    static String summary(final AlertRule rule, final Severity severity, final boolean firing, final double value,
                          final double threshold) {
        final String v = String.format(Locale.ROOT, "%.4g", value);
        final String th = String.format(Locale.ROOT, "%.4g", threshold);
        final String text;
        if (rule.summary().isEmpty()) {
            text = rule.name() + ": " + rule.metric().text() + " of " + rule.scope() + " is " + v
                + (firing ? ", " + severity.label() + " threshold " + rule.comparator().symbol() + ' ' + th
                : ", resolved");
        } else {
            text = rule.summary().replace("{name}", rule.name()).replace("{scope}", rule.scope().toString())
                .replace("{metric}", rule.metric().text()).replace("{value}", v).replace("{threshold}", th)
                .replace("{severity}", severity.label()).replace("{state}", firing ? "firing" : "resolved");
        }
        return AlertCodec.clip(text, AlertRule.MAX_SUMMARY_LENGTH);
    }

    /** Stops the thread; a tick under way ends first. */
    @Override
    public void close() {
        closed = true;
        final Thread t;
        synchronized (this) {
            notifyAll();
            t = thread;
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(APPLY_TIMEOUT_MS + 1_000);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
