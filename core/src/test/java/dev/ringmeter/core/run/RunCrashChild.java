package dev.ringmeter.core.run;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.test.RunWorkload;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The process {@link RunRecoveryTest} kills: creates a run, records tasks of the run's workload and, after every
 * flush that returns true, prints {@code ACK n}: the first n tasks are acknowledged.
 */
public final class RunCrashChild {
    private RunCrashChild() {
    }

    public static void main(final String[] args) throws Exception {
        final EmbeddedStore store = EmbeddedStore.open(new StoreConfig().dataDirectory(Path.of(args[0]))
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20).shutdownHook(false));
        store.runs().create("crash", "killed mid-run", Map.of("temperature", 0.5), null, 1_000_000);
        final RunWorkload w = new RunWorkload();
        for (int i = 0; ; i += 10) {
            w.record(store, "crash", i, i + 10, 4);
            if (!store.flush(30, TimeUnit.SECONDS)) {
                System.exit(2);
            }
            System.out.println("ACK " + (i + 10) + " " + w.events);
            System.out.flush();
        }
    }
}
