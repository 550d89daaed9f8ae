package dev.ringmeter.server.ingest;

import dev.ringmeter.Event;
import dev.ringmeter.MetricSample;

import java.util.Arrays;

/**
 * The reusable buffers of one ingest request: the events or samples of its batch, parsed and validated before any
 * is recorded. Grown on demand up to the batch limit and then reused, so a warmed-up server allocates no Event
 * per request, and no String for a string value it has seen before ({@link TextCache}, about 45 KB).
 * <p>
 * Threading: owned by one request at a time; {@link IngestGate} hands it out and takes it back.
 */
final class IngestBatch {
    private Event[] events = new Event[16];
    private MetricSample[] samples = new MetricSample[16];
    private final TextCache texts = new TextCache();

    /**
     * @param i index in the batch.
     * @return the i-th event, reset.
     */
    Event event(final int i) {
        if (i >= events.length) {
            events = Arrays.copyOf(events, Math.max(i + 1, events.length * 2));
        }
        Event e = events[i];
        if (e == null) {
            e = new Event();
            events[i] = e;
        }
        return e.reset();
    }

    /** @return the string values seen by this batch buffer's requests, for the reader. */
    TextCache texts() {
        return texts;
    }

    /** @return the events as filled by the reader, the batch's first; the array is replaced when it grows. */
    Event[] filledEvents() {
        return events;
    }

    /**
     * @param i index in the batch.
     * @return the i-th sample, reset.
     */
    MetricSample sample(final int i) {
        if (i >= samples.length) {
            samples = Arrays.copyOf(samples, Math.max(i + 1, samples.length * 2));
        }
        MetricSample s = samples[i];
        if (s == null) {
            s = new MetricSample();
            samples[i] = s;
        }
        return s.reset();
    }

    /** @return the i-th sample as filled by the reader (no reset). */
    MetricSample filledSample(final int i) {
        return samples[i];
    }

    /** @return the samples as filled by the reader, the batch's first; the array is replaced when it grows. */
    MetricSample[] filledSamples() {
        return samples;
    }
}
