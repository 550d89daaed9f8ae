package dev.ringmeter.remote;

import dev.ringmeter.CacheResult;
import dev.ringmeter.Event;
import dev.ringmeter.MetricSample;
import dev.ringmeter.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(10)
class NdjsonBatchTest {
    private final ManyToOneItemRing ring = new ManyToOneItemRing(8);
    private final NdjsonBatch batch = new NdjsonBatch(16);

    private String encode(final Event e) {
        final long p = ring.offer(e, 1_700_000_000_000L);
        batch.append(ring, p);
        ring.release(p, 1);
        return batch.text();
    }

    @Test
    void shouldWriteOnlyTheFieldsAnEventCarries() {
        assertEquals("{\"timestamp\":1700000000000,\"model\":\"gpt-4o\",\"latencyMs\":812.5}\n",
            encode(new Event().model("gpt-4o").latencyNs(812_500_000)));
    }

    @Test
    void shouldWriteEveryFieldWithTheServersNames() {
        final Event e = new Event().timestampMs(42).model("m").operation("chat").latencyNs(1_000_001)
            .ttftNs(120_000_000).queueWaitNs(7).promptTokens(1200).completionTokens(310).cachedTokens(800)
            .cacheWriteTokens(100).reasoningTokens(200).status(Status.TIMEOUT)
            .errorType("upstream_timeout").retries(2).cache(CacheResult.MISS).memoryBytes(1 << 20).cpuNs(3_000_000)
            .costUsd(0.25).quality("f1", 0.82).pipeline("rag").step("answer").run("r1").task("t1")
            .config("temperature=0.2").provider("openai").tool("search").agent("planner").tag("region", "eu")
            .tag("tier", "gold");
        assertEquals("{\"timestamp\":42,\"model\":\"m\",\"operation\":\"chat\",\"latencyMs\":1.000001,"
            + "\"ttftMs\":120,\"queueWaitMs\":0.000007,\"promptTokens\":1200,\"completionTokens\":310,"
            + "\"cachedTokens\":800,\"cacheWriteTokens\":100,\"reasoningTokens\":200,"
            + "\"status\":\"timeout\",\"errorType\":\"upstream_timeout\",\"retries\":2,\"cacheHit\":false,"
            + "\"memoryBytes\":1048576,\"cpuMs\":3,\"costUsd\":0.25,\"quality\":{\"f1\":0.82},\"pipeline\":\"rag\","
            + "\"step\":\"answer\",\"run\":\"r1\",\"task\":\"t1\",\"config\":\"temperature=0.2\","
            + "\"provider\":\"openai\",\"tool\":\"search\",\"agent\":\"planner\","
            + "\"tags\":{\"region\":\"eu\",\"tier\":\"gold\"}}\n", encode(e));
    }

    @Test
    void shouldEscapeStringsAndEncodeThemAsUtf8() {
        final String text = encode(new Event().model("a\"b\\c\n\u0001é€😀\ud800").latencyNs(0).cache(CacheResult.HIT));
        assertEquals("{\"timestamp\":1700000000000,\"model\":\"a\\\"b\\\\c\\u000a\\u0001é€😀\uFFFD\","
            + "\"latencyMs\":0,\"cacheHit\":true}\n", text);
    }

    @Test
    void shouldWriteMetricSamples() {
        final long p = ring.offer(new MetricSample().name("gpu_memory_gb").value(61.5).tag("gpu", "0"), 5);
        batch.append(ring, p);
        assertEquals("{\"name\":\"gpu_memory_gb\",\"value\":61.5,\"timestamp\":5,\"tags\":{\"gpu\":\"0\"}}\n",
            batch.text());
    }

    @Test
    void shouldCutOutOneItemByIndex() {
        final Event e = new Event();
        for (int i = 0; i < 3; i++) {
            batch.append(ring, ring.offer(e.reset().model("m" + i).latencyNs(i), 1));
        }
        batch.remove(1);
        assertEquals(2, batch.count());
        assertEquals("{\"timestamp\":1,\"model\":\"m0\",\"latencyMs\":0}\n"
            + "{\"timestamp\":1,\"model\":\"m2\",\"latencyMs\":0.000002}\n", batch.text());
        batch.remove(1);
        batch.remove(0);
        assertEquals("", batch.text());
    }
}
