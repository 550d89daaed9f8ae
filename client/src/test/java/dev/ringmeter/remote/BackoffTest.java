package dev.ringmeter.remote;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class BackoffTest {

    @Test
    void shouldDoubleEachStepWithinJitterUpToTheCap() {
        final Backoff b = new Backoff(100, 1_000, 1);
        for (int i = 0; i < 1_000; i++) {
            final long first = b.delayMs(1);
            assertTrue(first >= 50 && first <= 100, "first " + first);
            final long third = b.delayMs(3);
            assertTrue(third >= 200 && third <= 400, "third " + third);
            final long late = b.delayMs(40);
            assertTrue(late >= 500 && late <= 1_000, "capped " + late);
        }
    }

    @Test
    void shouldSpreadTheWaits() {
        final Backoff b = new Backoff(100, 1_000, 2);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 1_000; i++) {
            final long d = b.delayMs(4);
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        assertTrue(max - min > 300, "jitter spread " + min + ".." + max);
    }

    @Test
    void shouldHonourRetryAfterInSecondsOrAsADate() {
        final Backoff b = new Backoff(100, 1_000, 3);
        assertEquals(2_000, b.delayMs(1, "2", 0));
        assertEquals(Backoff.MAX_RETRY_AFTER_MS, b.delayMs(1, "86400", 0));
        final long now = 1_700_000_000_000L;
        final String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(
            Instant.ofEpochMilli(now + 3_000).atOffset(ZoneOffset.UTC));
        assertEquals(3_000, Backoff.retryAfterMs(date, now));
        assertEquals(-1, Backoff.retryAfterMs("soon", now));
        assertEquals(-1, Backoff.retryAfterMs(null, now));
        final long fallback = b.delayMs(1, "soon", now);
        assertTrue(fallback >= 50 && fallback <= 100);
    }
}
