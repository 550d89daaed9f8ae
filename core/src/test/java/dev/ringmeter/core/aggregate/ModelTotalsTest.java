package dev.ringmeter.core.aggregate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(10)
class ModelTotalsTest {
    private final FixedBucketHistogram durations = new FixedBucketHistogram(ModelTotals.DURATION_BOUNDS_S, 1);
    private final FixedBucketHistogram tokens = new FixedBucketHistogram(ModelTotals.TOKEN_BOUNDS, 1);

    @Test
    void shouldPutADurationOnABoundInThatBoundsBucketAndOneNanosecondMoreInTheNext() {
        for (int k = 0; k < ModelTotals.DURATION_BOUNDS_S.length; k++) {
            final long boundNs = Math.round(ModelTotals.DURATION_BOUNDS_S[k] * 1e9);
            assertEquals(k, ModelTotals.durationBucket(boundNs), "on bound " + k);
            assertEquals(k + 1, ModelTotals.durationBucket(boundNs + 1), "just above bound " + k);
            assertEquals(durations.bucketOf(boundNs / 1e9), ModelTotals.durationBucket(boundNs));
            assertEquals(durations.bucketOf((boundNs + 1) / 1e9), ModelTotals.durationBucket(boundNs + 1));
        }
        assertEquals(0, ModelTotals.durationBucket(0));
        assertEquals(ModelTotals.DURATION_BOUNDS_S.length, ModelTotals.durationBucket(Long.MAX_VALUE));
    }

    @Test
    void shouldPutATokenCountOnABoundInThatBoundsBucketAndOneMoreInTheNext() {
        for (int k = 0; k < ModelTotals.TOKEN_BOUNDS.length; k++) {
            final long bound = (long)ModelTotals.TOKEN_BOUNDS[k];
            assertEquals(k, ModelTotals.tokenBucket(bound), "on bound " + k);
            assertEquals(k + 1, ModelTotals.tokenBucket(bound + 1), "just above bound " + k);
        }
        assertEquals(0, ModelTotals.tokenBucket(0));
        assertEquals(ModelTotals.TOKEN_BOUNDS.length, ModelTotals.tokenBucket(Long.MAX_VALUE));
    }

    @Test
    void shouldAgreeWithAScanOverTheBoundsForAnyValue() {
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 1_000_000; i++) {
            final long ns = random.nextLong(1L << random.nextInt(1, 40));
            assertEquals(durations.bucketOf(ns / 1e9), ModelTotals.durationBucket(ns), ns + " ns");
            final long t = random.nextLong(1L << random.nextInt(1, 30));
            assertEquals(tokens.bucketOf(t), ModelTotals.tokenBucket(t), t + " tokens");
        }
    }
}
