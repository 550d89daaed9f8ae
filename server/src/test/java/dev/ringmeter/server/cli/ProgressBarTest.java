package dev.ringmeter.server.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The import's progress bar: drawn in place on a terminal, ended with a newline at 100%; an export's counter, with no
 * end known beforehand, ended by its last count.
 */
@Timeout(10)
class ProgressBarTest {
    @Test
    void shouldRedrawInPlaceAndEndTheLineWhenDone() {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "events", 200);
        bar.update(50);
        bar.update(200);
        final String drawn = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(drawn.startsWith("\r[#######"), drawn);
        assertTrue(drawn.contains(" 25% 50/200 events"), drawn);
        assertTrue(drawn.endsWith("\r[##############################] 100% 200/200 events" + System.lineSeparator()),
            drawn);
        assertEquals(2, drawn.chars().filter(c -> c == '\r').count());
    }

    @Test
    void shouldCountWithoutAnEndAndEndTheLineWithTheLastCount() {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final ProgressBar counter = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "rows", -1);
        counter.update(1_500);
        counter.finish(2_000);
        final String drawn = bytes.toString(StandardCharsets.UTF_8);
        assertEquals("\r1,500 rows\r2,000 rows" + System.lineSeparator(), drawn);
    }
}
