package dev.ringmeter.core.watch.alert;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A notice sink that keeps what it is given, for the tests; it delivers nothing. Any thread. */
final class RecordingSink implements NoticeSink {
    /** One submission. */
    record Submitted(long deliveryId, Notice notice, Target target) {
    }

    final List<Submitted> submitted = new CopyOnWriteArrayList<>();

    @Override
    public void submit(final long deliveryId, final Notice notice, final Target target) {
        submitted.add(new Submitted(deliveryId, notice, target));
    }
}
