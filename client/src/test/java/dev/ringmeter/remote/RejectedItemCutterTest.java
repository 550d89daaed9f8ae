package dev.ringmeter.remote;

import dev.ringmeter.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(10)
class RejectedItemCutterTest {
    private final ManyToOneItemRing ring = new ManyToOneItemRing(64);
    private final NdjsonBatch batch = new NdjsonBatch(64);
    private final RejectedItemCutter cutter = new RejectedItemCutter();

    private void fill(final int items) {
        final Event e = new Event();
        batch.clear();
        for (int i = 0; i < items; i++) {
            final long p = ring.offer(e.reset().model("m" + i).latencyNs(1), 1);
            batch.append(ring, p);
            ring.release(p, 1);
        }
    }

    private static String refusal(final int index) {
        return "{\"error\":\"bad value\",\"field\":\"model\",\"index\":" + index + "}";
    }

    private List<String> models() {
        return batch.text().lines().map(l -> l.replaceAll(".*\"model\":\"(m\\d+)\".*", "$1")).toList();
    }

    @Test
    void shouldCutOutTheItemAtTheIndexTheServerNames() {
        fill(4);
        cutter.startBatch();
        assertEquals(2, cutter.cut(batch, refusal(2)));
        assertEquals(List.of("m0", "m1", "m3"), models());
    }

    @Test
    void shouldRefuseTheBatchWholeWhenTheReplyNamesNoIndexInIt() {
        fill(3);
        cutter.startBatch();
        assertEquals(-1, cutter.cut(batch, "{\"error\":\"malformed JSON\"}"));
        assertEquals(-1, cutter.cut(batch, refusal(3)));
        assertEquals(-1, cutter.cut(batch, null));
        assertEquals(3, batch.count(), "a batch refused whole is left as it was");
    }

    @Test
    void shouldRefuseASingleItemBatchWholeRatherThanCutItToNothing() {
        fill(1);
        cutter.startBatch();
        assertEquals(-1, cutter.cut(batch, refusal(0)));
        assertEquals(1, batch.count());
    }

    @Test
    void shouldCutAtMostThirtyTwoItemsOutOfOneBatchAndCountAgainForTheNext() {
        fill(40);
        cutter.startBatch();
        for (int i = 0; i < RejectedItemCutter.MAX_CUTS_PER_BATCH; i++) {
            assertEquals(0, cutter.cut(batch, refusal(0)));
        }
        assertEquals(8, batch.count());
        assertEquals(-1, cutter.cut(batch, refusal(0)), "the 33rd refusal rejects the rest whole");
        assertEquals(8, batch.count());
        cutter.startBatch();
        assertEquals(0, cutter.cut(batch, refusal(0)));
        assertEquals(7, batch.count());
    }
}
