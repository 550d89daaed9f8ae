package dev.ringmeter.core;

import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.examples.embedded.QuickStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class QuickStartTest {
    @Test
    void shouldRunTheReadmeExampleAndPrintEveryModel() throws Exception {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final WindowStats last = QuickStart.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), 3000);
        final String table = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("claude-sonnet") && table.contains("gpt-4o"), table);
        assertEquals("claude-sonnet", last.model(), "models are listed in the order the store first saw them");
        assertEquals(1000, last.count(), "one call in three goes to claude-sonnet");
        assertTrue(last.latencyMs(50) >= 200 && last.latencyMs(99) <= 2000 * 1.01, table);
        assertTrue(last.costUsd() > 0, "priced from the price table");
    }
}
