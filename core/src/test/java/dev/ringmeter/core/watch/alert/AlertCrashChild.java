package dev.ringmeter.core.watch.alert;

import dev.ringmeter.core.EmbeddedStore;
import org.agrona.concurrent.CachedEpochClock;

import java.nio.file.Path;
import java.util.List;

/**
 * The process {@link AlertRecoveryTest} kills: puts a rule, records slow calls, evaluates once (the rule fires and
 * its notice goes to a sink that never reports an outcome), prints {@code FIRED dedupKey} and waits to be killed.
 */
public final class AlertCrashChild {
    private AlertCrashChild() {
    }

    public static void main(final String[] args) throws Exception {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(AlertRulesTest.T0);
        final RecordingSink sink = new RecordingSink();
        final EmbeddedStore store = EmbeddedStore.open(AlertRulesTest.config(Path.of(args[0]), clock, sink));
        store.alerts().putRule(AlertRulesTest.latencyRule("crash", 0, List.of(AlertRulesTest.HOOK)));
        AlertRulesTest.calls(store, clock, AlertRulesTest.T0, 200, 10);
        store.alertEvaluator().tick(AlertRulesTest.T0 + 1);
        if (sink.submitted.size() != 1) {
            System.exit(2);
        }
        System.out.println("FIRED " + sink.submitted.get(0).notice().dedupKey());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);   // killed here, with no outcome recorded and no snapshot
    }
}
