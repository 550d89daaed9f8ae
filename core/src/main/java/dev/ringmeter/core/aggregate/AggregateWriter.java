package dev.ringmeter.core.aggregate;

import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.dictionary.IdleRelease;
import dev.ringmeter.core.ingest.EventSlot;
import dev.ringmeter.core.run.RunTable;
import dev.ringmeter.core.watch.alert.AlertTable;

/**
 * Applies events and custom metric samples to the store's in-memory state: an event to its model's time tiers
 * (which hand their closed seconds to the all-models tiers) and recent events if it names a model, to the tiers and
 * totals of each other subject it names ({@link SubjectTiers}: pipeline, pipeline step, tool, agent), to its
 * combination of the in-memory comparisons, and to the cumulative totals; an event that carries a created run's id
 * to that run, a run command to the runs ({@link RunTable}), an anomaly's start or end to the anomaly log, and an
 * alert command to the alert state ({@link AlertTable}); a sample to its metric's tiers. Events and samples
 * older than every tier keeps still count in the totals, and
 * as expired. It notes the use of each id of a released dimension the slot carries ({@link IdleRelease#use}), so
 * that only values idle past the dictionary's window are released. It also counts the events and samples that
 * took the tiers' slower paths: late ones (behind their tiers' newest bucket) and ones held ahead of the store clock.
 * <p>
 * Threading: exactly one thread, the single writer: the {@link AggregateHandler}'s consumer thread, holding the
 * aggregates' lock, or before the ring starts the thread that recovers the store. Allocates nothing in steady state
 * (a new model, metric name or error type allocates its state once).
 */
final class AggregateWriter {
    private final TierRegistry tiers;
    private final CumulativeTotals totals;
    private final IdleRelease idleRelease;
    private final Combinations combinations;
    private final RunTable runs;
    private final dev.ringmeter.core.watch.AnomalyLog anomalies;
    private final AlertTable alerts;
    /** Events and samples applied behind their tiers' newest finest bucket, since the store opened. */
    long late;
    /** Events and samples applied ahead of the store clock's current bucket (held), since the store opened. */
    long held;

    AggregateWriter(final TierRegistry tiers, final CumulativeTotals totals, final IdleRelease idleRelease,
                    final Combinations combinations, final RunTable runs,
                    final dev.ringmeter.core.watch.AnomalyLog anomalies, final AlertTable alerts) {
        this.tiers = tiers;
        this.totals = totals;
        this.idleRelease = idleRelease;
        this.combinations = combinations;
        this.runs = runs;
        this.anomalies = anomalies;
        this.alerts = alerts;
    }

    /**
     * Applies one slot; price records and void slots are not for the aggregates and are ignored.
     *
     * @param e      the slot; an event's cost already stamped ({@link PriceTable#stamp}).
     * @param timeMs the slot's time.
     */
    void apply(final EventSlot e, final long timeMs) {
        switch (e.kind) {
            case EventSlot.KIND_EVENT: {
                final int m = e.model;
                totals.addEvent(e);
                final int subjects = tiers.subjects.add(e, timeMs);
                if (m != 0) {
                    count(tiers.model(m).add(e, timeMs));
                    tiers.recent[m].add(e, timeMs);
                } else if (subjects >= 0) {
                    count(subjects);   // counted once, in its first subject, when it names no model
                }
                combinations.add(e, timeMs);
                runs.add(e, timeMs);
                final IdleRelease r = idleRelease;
                r.use(Dimension.OPERATION, e.operation);
                r.use(Dimension.RUN, e.run);
                r.use(Dimension.TASK, e.task);
                r.use(Dimension.CONFIG, e.config);
                useTags(e);
                break;
            }
            case EventSlot.KIND_COST_CHANGE:
                changeCost(e, timeMs);
                break;
            case EventSlot.KIND_METRIC:
                useTags(e);
                totals.metricSamples++;
                count(tiers.addMetricSample(e, timeMs));
                break;
            case EventSlot.KIND_RUN:
                runs.apply(e.runCommand);
                e.runCommand = null;
                break;
            case EventSlot.KIND_ANOMALY:
                anomalies.put(e.anomaly);
                e.anomaly = null;
                break;
            case EventSlot.KIND_ALERT:
                alerts.apply(e.alertCommand);
                e.alertCommand = null;
                e.alertBytes = null;
                break;
            default:
                break;
        }
    }

    /**
     * Applies a recompute's change to the cost counted for one event: to every bucket of its model's tiers, and of
     * the all-models tiers, and of each other subject it names, that holds its time ({@link TimeTiers#changeCost}),
     * and to its combination's bucket ({@link Combinations#changeCost}). The cumulative totals (Prometheus
     * counters, which never go down) and the recent events keep the cost the event was recorded with.
     */
    private void changeCost(final EventSlot e, final long timeMs) {
        final TimeTiers t = tiers.findModel(e.model);
        if (t != null) {
            t.changeCost(e.costUsd, e.costCountDelta, timeMs);
        }
        tiers.subjects.changeCost(e, timeMs);
        combinations.changeCost(e, timeMs);
    }

    private void useTags(final EventSlot e) {
        for (int i = 0; i < e.tagCount; i++) {
            idleRelease.use(Dimension.TAG_KEY, e.tagKeys[i]);
            idleRelease.use(Dimension.TAG_VALUE, e.tagValues[i]);
        }
    }

    private void count(final int outcome) {
        if (outcome != TimeTiers.IN_ORDER) {
            if (outcome == TimeTiers.EXPIRED) {
                totals.expired++;
            } else if (outcome == TimeTiers.LATE) {
                late++;
            } else {
                held++;
            }
        }
    }
}
