package dev.ringmeter.core;

import dev.ringmeter.CardinalityLimitException;
import dev.ringmeter.Event;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.test.ChildJvm;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A durable store with every default, in a real child JVM of {@value #XMX}, driven to every limit: as many models
 * as its model limit with every bucket of every tier at its widest, and every other dimension at its limit with
 * values of the longest length in two-byte characters, every metric name with full tiers. The heap it then holds,
 * measured after GC (not the store's estimate), stays within the store's share of the heap, and the next model is
 * refused with a message that names the limit and how to raise it.
 */
@Tag("slow")
@Timeout(120)
class HeapLimitsTest {
    private static final String XMX = "-Xmx256m";
    private static final long T0 = 1_760_000_400_000L;

    @TempDir
    Path dir;

    @Test
    void shouldHoldEveryDefaultLimitWithinTheHeapShare() throws Exception {
        final List<String> options = new ArrayList<>(ChildJvm.inheritedOptions());
        options.add(XMX);
        options.add("-XX:+ExitOnOutOfMemoryError");
        final String text = ChildJvm.runToEnd(ChildJvm.command(options, Child.class, dir.resolve("data").toString()),
            dir.resolve("child.out"), 100);
        System.out.println(text);
        final Matcher heap = Pattern.compile("HEAP used=(\\d+) max=(\\d+) share=([0-9.]+)").matcher(text);
        if (!heap.find()) {
            fail("the child printed no heap measurement: " + text);
        }
        final long used = Long.parseLong(heap.group(1));
        final long max = Long.parseLong(heap.group(2));
        final double share = Double.parseDouble(heap.group(3));
        assertTrue(used <= share * max, "heap after GC " + used + " passes " + share + " of " + max + ": " + text);
        assertTrue(text.contains("REFUSED model"), "the next model is refused: " + text);
        assertTrue(text.contains("--limit model=N") && text.contains("-Xmx"),
            "the refusal says how to raise the limit: " + text);
    }

    /**
     * The child process: opens the store on its argument, fills it to every limit, prints the limits, the heap
     * measured after GC and the refusal of one more model, and exits.
     */
    public static final class Child {
        private Child() {
        }

        public static void main(final String[] args) throws Exception {
            final CachedEpochClock clock = new CachedEpochClock();
            clock.update(T0);
            final StoreConfig config = new StoreConfig().dataDirectory(Path.of(args[0])).clock(clock)
                .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).shutdownHook(false);
            try (EmbeddedStore store = EmbeddedStore.open(config)) {
                final int[] limits = store.config().cardinalityLimits();
                final int length = store.config().maxStringLength();
                System.out.println("BUDGET " + store.config().heapBudget());
                System.out.flush();
                fillDimensions(store, limits, length);
                final String[] models = names("model", limits[Dimension.MODEL.ordinal()], length);
                final String[] metrics = names("metric", limits[Dimension.METRIC_NAME.ordinal()], length);
                new FullTiersLoad(store, clock).fill(models, metrics, name(Dimension.ERROR_TYPE.name(), 0, length),
                    name("quality", 0, length));
                final long used = usedHeapAfterGc();
                System.out.println("HEAP used=" + used + " max=" + Runtime.getRuntime().maxMemory() + " share="
                    + store.config().heapShare() + " estimate=" + store.config().heapBudget().estimatedBytes());
                try {
                    store.record(new Event().model("one model more").latencyNs(1_000_000L));
                    System.out.println("ACCEPTED one model more");
                } catch (final CardinalityLimitException e) {
                    System.out.println("REFUSED " + e.getMessage());
                }
                System.out.flush();
            }
            System.exit(0);
        }

        /** Brings every dimension but the model and the metric name to its limit, through events of one model. */
        private static void fillDimensions(final EmbeddedStore store, final int[] limits, final int length)
            throws InterruptedException {
            final Dimension[] own = {Dimension.OPERATION, Dimension.PIPELINE, Dimension.STEP, Dimension.RUN,
                Dimension.TASK, Dimension.CONFIG, Dimension.ERROR_TYPE};
            int most = 0;
            for (final Dimension d : Dimension.VALUES) {
                if (d != Dimension.MODEL && d != Dimension.METRIC_NAME) {
                    most = Math.max(most, d == Dimension.TAG_VALUE || d == Dimension.TAG_KEY
                        || d == Dimension.QUALITY_NAME ? (limits[d.ordinal()] + 3) / 4 : limits[d.ordinal()]);
                }
            }
            final String model = name("model", 0, length);
            final Event e = new Event();
            for (int i = 0; i < most; i++) {
                e.reset().model(model).latencyNs(1_000_000L);
                for (final Dimension d : own) {
                    if (i < limits[d.ordinal()]) {
                        set(e, d, name(d.name(), i, length));
                    }
                }
                for (int k = 0; k < Event.MAX_TAGS; k++) {
                    final int v = i * Event.MAX_TAGS + k;
                    if (v < limits[Dimension.TAG_VALUE.ordinal()]) {
                        e.tag(name("key", v % limits[Dimension.TAG_KEY.ordinal()], length), name("value", v, length));
                    }
                }
                for (int k = 0; k < Event.MAX_QUALITY; k++) {
                    final int q = i * Event.MAX_QUALITY + k;
                    if (q < limits[Dimension.QUALITY_NAME.ordinal()]) {
                        e.quality(name("quality", q, length), 0.5);
                    }
                }
                store.record(e);
            }
            if (!store.flush(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not flushed");
            }
        }

        private static void set(final Event e, final Dimension d, final String value) {
            switch (d) {
                case OPERATION -> e.operation(value);
                case PIPELINE -> e.pipeline(value);
                case STEP -> e.step(value);
                case RUN -> e.run(value);
                case TASK -> e.task(value);
                case CONFIG -> e.config(value);
                case ERROR_TYPE -> e.errorType(value);
                default -> throw new IllegalArgumentException(d.name());
            }
        }

        private static String[] names(final String prefix, final int n, final int length) {
            final String[] names = new String[n];
            for (int i = 0; i < n; i++) {
                names[i] = name(prefix, i, length);
            }
            return names;
        }

        /** A value of the longest length, in characters that take two bytes in a Java string. */
        private static String name(final String prefix, final int i, final int length) {
            final StringBuilder b = new StringBuilder(length).append(prefix).append(i).append('-');
            while (b.length() < length) {
                b.append('\u0436');
            }
            return b.substring(0, length);
        }

        /** Heap used after full GCs, repeated until two readings agree within 1 %. */
        private static long usedHeapAfterGc() {
            long previous = Long.MAX_VALUE;
            for (int i = 0; i < 10; i++) {
                System.gc();
                final long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                if (Math.abs(previous - used) <= used / 100) {
                    return used;
                }
                previous = used;
            }
            return previous;
        }
    }
}
