package dev.ringmeter.remote;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class RetryPolicyTest {

    @Test
    void shouldTakeEvery2xxAsAnAcknowledgementAndNothingElse() {
        for (final int status : new int[] {200, 201, 202, 204, 299}) {
            assertTrue(RetryPolicy.isAcknowledged(status), Integer.toString(status));
        }
        for (final int status : new int[] {100, 199, 300, 302, 400, 408, 429, 500}) {
            assertFalse(RetryPolicy.isAcknowledged(status), Integer.toString(status));
        }
    }

    @Test
    void shouldRetry408And429AndServerErrorsButNoOtherRefusal() {
        for (final int status : new int[] {408, 429, 500, 502, 503, 504, 599}) {
            assertTrue(RetryPolicy.isRetryable(status), Integer.toString(status));
        }
        for (final int status : new int[] {301, 400, 401, 403, 404, 413, 415, 422, 499}) {
            assertFalse(RetryPolicy.isRetryable(status), Integer.toString(status));
        }
    }

    @Test
    void shouldAllowExactlyMaxRetries() {
        final RetryPolicy policy = new RetryPolicy(new RemoteConfig().uri("http://h:1").maxRetries(2).conclude(), 1);
        assertTrue(policy.mayRetry(0));
        assertTrue(policy.mayRetry(1));
        assertFalse(policy.mayRetry(2));
        final RetryPolicy none = new RetryPolicy(new RemoteConfig().uri("http://h:1").maxRetries(0).conclude(), 1);
        assertFalse(none.mayRetry(0));
    }

    @Test
    void shouldWaitWhatTheBackoffOrTheServerSays() {
        final RetryPolicy policy = new RetryPolicy(new RemoteConfig().uri("http://h:1").initialBackoffMs(100)
            .maxBackoffMs(1_000).conclude(), 7);
        for (int i = 0; i < 100; i++) {
            final long second = policy.delayMs(2, null, 0);
            assertTrue(second >= 100 && second <= 200, "second wait " + second);
        }
        assertEquals(3_000, policy.delayMs(1, "3", 0));
    }
}
