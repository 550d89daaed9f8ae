package dev.ringmeter.server.ingest;

import dev.ringmeter.Event;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.ingest.EventRules;
import dev.ringmeter.server.http.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The byte reader of plain NDJSON events against the full parser ({@link BatchReader} with the same
 * {@link EventReader}) on the same bytes: every event it takes is the full parser's, value for value (doubles to the
 * bit), and on everything it does not take, or that is wrong, it gives up (-1) so that the full parser answers.
 */
@Timeout(60)
class NdjsonEventReaderTest {
    private static final int MAX_BATCH = 10_000;
    private final EventReader events = new EventReader(new EventRules(new StoreConfig()));

    private int fast(final String body, final IngestBatch batch) {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return NdjsonEventReader.read(bytes, 0, bytes.length, MAX_BATCH, batch, events);
    }

    private int full(final String body, final IngestBatch batch) throws IOException {
        return BatchReader.read(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), true, MAX_BATCH,
            batch, events);
    }

    private void assertSameAsFullParser(final String body) throws IOException {
        final IngestBatch fast = new IngestBatch();
        final IngestBatch full = new IngestBatch();
        final int n = full(body, full);
        assertEquals(n, fast(body, fast), body);
        for (int i = 0; i < n; i++) {
            final Event a = fast.filledEvents()[i];
            final Event b = full.filledEvents()[i];
            final String where = "event " + i + " of " + body;
            assertEquals(List.of(b.timestampMs(), b.latencyNs(), b.ttftNs(), b.queueWaitNs(), b.promptTokens(),
                    b.completionTokens(), b.cachedTokens(), b.cacheWriteTokens(), b.reasoningTokens(), b.memoryBytes(),
                    b.cpuNs(), Double.doubleToRawLongBits(b.costUsd()), (long)b.retries()),
                List.of(a.timestampMs(), a.latencyNs(), a.ttftNs(), a.queueWaitNs(), a.promptTokens(),
                    a.completionTokens(), a.cachedTokens(), a.cacheWriteTokens(), a.reasoningTokens(), a.memoryBytes(),
                    a.cpuNs(), Double.doubleToRawLongBits(a.costUsd()), (long)a.retries()), where);
            assertEquals(List.of(String.valueOf(b.model()), String.valueOf(b.operation()), String.valueOf(b.pipeline()),
                    String.valueOf(b.step()), String.valueOf(b.run()), String.valueOf(b.task()),
                    String.valueOf(b.config()), String.valueOf(b.errorType()), String.valueOf(b.provider()),
                    String.valueOf(b.tool()), String.valueOf(b.agent()), b.status(), b.cache()),
                List.of(String.valueOf(a.model()), String.valueOf(a.operation()), String.valueOf(a.pipeline()),
                    String.valueOf(a.step()), String.valueOf(a.run()), String.valueOf(a.task()),
                    String.valueOf(a.config()), String.valueOf(a.errorType()), String.valueOf(a.provider()),
                    String.valueOf(a.tool()), String.valueOf(a.agent()), a.status(), a.cache()), where);
        }
    }

    @Test
    void takesPlainBatchesExactlyAsTheFullParser() throws IOException {
        final SplittableRandom random = new SplittableRandom(18);
        final long now = System.currentTimeMillis();
        for (int round = 0; round < 200; round++) {
            final StringBuilder body = new StringBuilder();
            final int count = 1 + random.nextInt(50);
            for (int i = 0; i < count; i++) {
                final int digits = random.nextInt(1, 10);
                body.append(random.nextBoolean() ? "" : " \t").append("{\"model\":\"model-").append(random.nextInt(7))
                    .append("\", \"operation\" : \"chat\",\"latencyMs\":")
                    .append(random.nextInt(10_000)).append('.').append(String.format(Locale.ROOT, "%0" + digits + "d",
                        random.nextLong(1, (long)Math.pow(10, digits))))
                    .append(",\"ttftMs\":").append(random.nextInt(2_000))
                    .append(",\"costUsd\":0.").append(random.nextLong(1, 1_000_000_000_000L))
                    .append(",\"promptTokens\":").append(random.nextInt(100_000))
                    .append(",\"completionTokens\":null")
                    .append(",\"timestamp\":").append(now - random.nextInt(3_600_000))
                    .append(",\"retries\":").append(random.nextInt(3))
                    .append(",\"memoryBytes\":").append(random.nextLong(1L << 40))
                    .append(",\"cpuMs\":").append(random.nextInt(100)).append(".5")
                    .append(",\"status\":\"").append(random.nextInt(10) == 0 ? "error" : "ok").append('"')
                    .append(",\"pipeline\":\"support-bot\",\"step\":\"answer\",\"provider\":\"openai\"}")
                    .append(random.nextBoolean() ? "\r\n" : "\n").append(random.nextInt(10) == 0 ? "\n" : "");
            }
            assertSameAsFullParser(body.toString());
        }
        assertSameAsFullParser("{\"model\":\"m\",\"latencyMs\":0,\"ttftMs\":-0}");   // -0 is 0 to both
        assertSameAsFullParser("{\"model\":\"m\",\"latencyMs\":2,\"costUsd\":123456789012.345}");   // 15 digits
    }

    @Test
    void knownValuesAreTheCachedStrings() {
        final IngestBatch batch = new IngestBatch();
        assertEquals(3, fast("{\"model\":\"gpt-4o\",\"latencyMs\":1}\n{\"model\":\"gpt-4o\",\"latencyMs\":2}\n"
            + "{\"model\":\"gpt-4o\",\"latencyMs\":3}", batch));
        assertSame(batch.filledEvents()[0].model(), batch.filledEvents()[2].model(), "no String per known value");
    }

    @Test
    void givesUpOnWhatItDoesNotTakeOrWhatIsWrong() {
        final String ok = "{\"model\":\"m\",\"latencyMs\":1.5}";
        final List<String> bodies = List.of(
            "{\"model\":\"m\\u0041\",\"latencyMs\":1}",               // an escape
            "{\"model\":\"m\u00e9\",\"latencyMs\":1}",                // UTF-8
            "{\"model\":\"m\",\"latencyMs\":1,\"tags\":{\"a\":\"b\"}}",
            "{\"model\":\"m\",\"latencyMs\":1,\"quality\":{\"a\":1}}",
            "{\"model\":\"m\",\"latencyMs\":1,\"cacheHit\":true}",
            "{\"model\":\"m\",\"latencyMs\":1e3}",
            "{\"model\":\"m\",\"latencyMs\":01}",
            "{\"model\":\"m\",\"latencyMs\":1.}",
            "{\"model\":\"m\",\"latencyMs\":1.1234567890123456}",      // more digits than a double holds exactly
            "{\"model\":\"m\",\"promptTokens\":1234567890123456789}",
            "{\"model\":\"m\",\"latencyMs\":1,\"model\":\"n\"}",      // twice
            "{\"model\":\"m\",\"latencyMs\":1,\"colour\":\"red\"}",   // unknown
            "{\"model\":\"m\",\"latencyMs\":-1}",                     // the setter refuses it
            "{\"model\":\"m\",\"latencyMs\":\"1\"}",                  // a string for a number
            "{\"model\":1,\"latencyMs\":1}",                          // a number for a string
            "{\"model\":\"m\",\"promptTokens\":1.5}",                 // a fraction for a whole number
            "{\"model\":\"m\",\"status\":\"maybe\"}",
            "{\"latencyMs\":1}",                                      // the store's rules: no model
            "{\"model\":\"m\",\"latencyMs\":1} {\"model\":\"m\",\"latencyMs\":1}",
            "{\"model\":\"m\",\n\"latencyMs\":1}",
            "{\"model\":\"m\",\"latencyMs\":1",
            "{\"model\":\"m\",\"latencyMs\":1,}",
            "{\"model\":\"m\",\"latencyMs\":nul}",
            "[" + ok + "]");
        for (final String bad : bodies) {
            final IngestBatch batch = new IngestBatch();
            assertEquals(-1, fast(ok + "\n" + bad, batch), bad);
        }
        final IngestBatch batch = new IngestBatch();
        assertEquals(-1, fast("\n \r\n", batch), "empty: the full parser says what to send");
        assertEquals(2, fast(ok + "\n\n" + ok + "\n", batch));
        final byte[] three = (ok + "\n" + ok + "\n" + ok).getBytes(StandardCharsets.UTF_8);
        assertEquals(-1, NdjsonEventReader.read(three, 0, three.length, 2, batch, events), "past the batch limit");
    }

    @Test
    void whatItGivesUpOnTheFullParserRefusesNamingTheField() {
        final String body = "{\"model\":\"m\",\"latencyMs\":1}\n{\"model\":\"m\",\"latencyMs\":-1}";
        assertEquals(-1, fast(body, new IngestBatch()));
        final ApiException e = assertThrows(ApiException.class, () -> full(body, new IngestBatch()));
        assertTrue(e.getMessage().contains("latencyMs"), e.getMessage());
    }
}
