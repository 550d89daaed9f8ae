package dev.ringmeter.core.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class FrequentKeysTest {
    @Test
    void shouldCountExactlyWhileTheKeysFit() {
        final FrequentKeys<String> keys = new FrequentKeys<>(10);
        for (int i = 0; i < 100; i++) {
            keys.add("k" + i % 5);
        }
        keys.add("k0");
        assertTrue(keys.exact());
        assertEquals(0, keys.errorBound());
        assertEquals("k0", keys.top(1).get(0));
        assertEquals(5, keys.top(50).size());
    }

    @Test
    void shouldFindTheHeavyKeysAmongAMillionDistinctOnesInAHundredCounters() {
        final FrequentKeys<String> keys = new FrequentKeys<>(100);
        final SplittableRandom random = new SplittableRandom(7);
        final int n = 2_000_000;
        for (int i = 0; i < n; i++) {
            final int r = random.nextInt(100);
            // three heavy keys (5 %, 4 %, 3 % of the stream), the rest spread over about a million keys
            keys.add(r < 5 ? "heavy-a" : r < 9 ? "heavy-b" : r < 12 ? "heavy-c" : "light-" + random.nextInt(1_000_000));
        }
        assertFalse(keys.exact());
        assertEquals(n, keys.total());
        assertTrue(keys.errorBound() <= n / 101);
        assertEquals(List.of("heavy-a", "heavy-b", "heavy-c"), keys.top(3));
    }
}
