package dev.ringmeter.core.aggregate;

import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;

import java.util.Arrays;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.locks.Lock;

/**
 * Monotonic totals since the store was created: the events and custom metric samples applied, those older than
 * the retention when they arrived, and per model the {@link ModelTotals} a Prometheus exposition reads. They are
 * part of the snapshot, and a recovery replays the journal after the snapshot through the same writer, so each
 * journaled event is counted exactly once however the store restarts.
 * <p>
 * Threading: not thread-safe; written by the aggregate writer. A reader copies it one model at a time under the
 * aggregates' lock ({@link #copy}), so the writer waits at most for one model's copy, never for a whole scrape;
 * the writer copies it for a snapshot ({@link #captureInto}).
 */
final class CumulativeTotals {
    long events;
    long metricSamples;
    long expired;
    ModelTotals[] models = new ModelTotals[16];
    /** Names the models' operations; set once by {@link Aggregates} before the writer starts, null in an image. */
    Dictionary dictionary;

    /**
     * Counts an event, and for its model if it names one.
     *
     * @param e the event, its cost stamped.
     */
    void addEvent(final EventSlot e) {
        events++;
        if (e.model != 0) {
            final ModelTotals m = model(e.model);
            m.add(e);
            if (e.operation != 0 && dictionary != null) {
                m.operationName = dictionary.name(Dimension.OPERATION, e.operation);
            }
        }
    }

    /**
     * @param id of a model.
     * @return its totals, created empty on first use.
     */
    ModelTotals model(final int id) {
        if (id >= models.length) {
            models = Arrays.copyOf(models, Math.max(id + 1, models.length * 2));
        }
        ModelTotals m = models[id];
        if (m == null) {
            m = new ModelTotals();
            models[id] = m;
        }
        return m;
    }

    /**
     * Copies every model's totals, each under the lock on its own: each model's totals are consistent, and the
     * models are copied one after another (a counter read later never reads less than one read before).
     *
     * @param dictionary to name the models and error types.
     * @param lock       the aggregates' lock, which the writer holds while it adds.
     * @return a copy of every model's totals by model name, in name order (allocates, outside the lock).
     */
    SortedMap<String, CallTotals> copy(final Dictionary dictionary, final Lock lock) {
        final SortedMap<String, CallTotals> copy = new TreeMap<>();
        final ModelTotals scratch = new ModelTotals();
        for (int id = 1; ; id++) {
            lock.lock();
            try {
                if (id >= models.length) {
                    break;
                }
                if (models[id] == null) {
                    continue;
                }
                models[id].copyInto(scratch);
            } finally {
                lock.unlock();
            }
            copy.put(dictionary.name(Dimension.MODEL, id), scratch.copy(dictionary));
        }
        return copy;
    }

    /**
     * Copies these totals for a snapshot. Writer only; allocates only for a model or error type new to the image.
     *
     * @param image the copy, owned by the snapshot.
     */
    void captureInto(final CumulativeTotals image) {
        image.events = events;
        image.metricSamples = metricSamples;
        image.expired = expired;
        for (int id = 0; id < models.length; id++) {
            if (models[id] != null) {
                models[id].copyInto(image.model(id));
            }
        }
    }

    /**
     * @param lock the aggregates' lock, taken for one model at a time.
     * @return an estimate of the heap held, in bytes.
     */
    long footprintBytes(final Lock lock) {
        long bytes = 48 + 16;
        for (int id = 0; ; id++) {
            lock.lock();
            try {
                if (id >= models.length) {
                    return bytes + models.length * 4L;
                }
                if (models[id] != null) {
                    bytes += models[id].footprintBytes();
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
