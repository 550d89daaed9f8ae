package dev.ringmeter.core.aggregate;

/**
 * Monotonic counters since the store was created: the events and custom metric samples applied, and those older
 * than the retention when they arrived. They are part of the snapshot, and a recovery replays the journal after
 * the snapshot through the same writer, so each journaled event is counted exactly once however the store
 * restarts.
 * <p>
 * Threading: not thread-safe; written by the aggregate writer, read under the aggregates' lock.
 */
final class CumulativeTotals {
    long events;
    long metricSamples;
    long expired;
}
