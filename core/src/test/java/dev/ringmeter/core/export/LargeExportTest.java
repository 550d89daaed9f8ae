package dev.ringmeter.core.export;

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
 * The constant-memory proof: two million events recorded and then exported as NDJSON in a child JVM whose heap is
 * 64 MB; an export that held its rows (a few hundred bytes each, 500 MB or more) would fail with an
 * OutOfMemoryError. The export ends with every row and a complete trailer.
 */
@Tag("slow")
@Timeout(300)
class LargeExportTest {
    private static final int EVENTS = 2_000_000;

    @TempDir
    Path dir;

    @Test
    void shouldExportTwoMillionEventsInA64MegabyteHeap() throws Exception {
        final List<String> options = new ArrayList<>(ChildJvm.inheritedOptions());
        options.add("-Xmx64m");
        options.add("-XX:+UseSerialGC");
        options.add("-XX:+ExitOnOutOfMemoryError");
        final String out = ChildJvm.runToEnd(ChildJvm.command(options, LargeExportChild.class,
            dir.resolve("data").toString(), Integer.toString(EVENTS)), dir.resolve("child.log"), 280);
        System.out.println(out.lines().filter(l -> l.startsWith("ROWS=")).findFirst().orElse(out));
        assertEquals(EVENTS, value(out, "ROWS"));
        assertEquals(EVENTS + 1, value(out, "LINES"), "every row, then the trailer");
        assertTrue(out.contains("COMPLETE=true"), out);
        assertTrue(out.contains("LAST={\"export\":{\"rows\":" + EVENTS + ","), out);
    }

    private static long value(final String out, final String name) {
        final Matcher m = Pattern.compile(name + "=(\\d+)").matcher(out);
        assertTrue(m.find(), name + " in " + out);
        return Long.parseLong(m.group(1));
    }
}
