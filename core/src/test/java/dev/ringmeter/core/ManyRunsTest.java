package dev.ringmeter.core;

import dev.ringmeter.core.test.ChildJvm;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ten million distinct run ids over a simulated day, in a child JVM with a 256 MB heap and the default limits: every
 * one is accepted (the run limit, 100,000, counts live values only: about 70,000 are used within any 10 minutes),
 * the heap used after a full GC stays under {@value #HEAP_BOUND_MB} MB, and a group-by run over the last hour names
 * and counts every event right.
 */
@Tag("slow")
@Timeout(300)
class ManyRunsTest {
    /** The bound on the heap after GC with the store open; 35 MB measured (16 s of ingest). */
    static final int HEAP_BOUND_MB = 64;
    private static final int RUNS = 10_000_000;

    @TempDir
    Path dir;

    @Test
    void acceptsTenMillionRunsOverADayInBoundedHeapAndGroupsTheLastHourRight() throws Exception {
        final List<String> options = new ArrayList<>(ChildJvm.inheritedOptions());
        options.add("-Xmx256m");
        options.add("-XX:+UseSerialGC");
        final String out = ChildJvm.runToEnd(ChildJvm.command(options, ManyRunsChild.class,
            dir.resolve("data").toString(), Integer.toString(RUNS)), dir.resolve("child.log"), 280);
        System.out.println(out.lines().filter(l -> l.contains("=")).reduce("", (a, b) -> a + b + "\n"));
        assertEquals(RUNS, value(out, "EVENTS"), "every event accepted and aggregated");
        assertTrue(value(out, "LIVE_RUNS") <= 100_000);
        final long heap = value(out, "HEAP_AFTER_GC");
        assertTrue(heap < HEAP_BOUND_MB * 1024L * 1024L, "heap after GC " + heap);
        assertTrue(value(out, "EXPECTED") > 400, "the last hour of shard 7 holds about 417 runs");
        assertEquals(value(out, "EXPECTED"), value(out, "SCAN_GROUPS"));
        assertTrue(out.contains("SCAN_OK=true"), out);
    }

    private static long value(final String out, final String key) {
        final Matcher m = Pattern.compile(key + "=(\\d+)").matcher(out);
        assertTrue(m.find(), key + " in " + out);
        return Long.parseLong(m.group(1));
    }
}
