package dev.ringmeter.core.watch.alert;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A {@link DeliveryListener} that keeps every outcome, and a deadline poll for the tests.
 * <p>
 * Threading: the dispatcher's threads record; the test reads from any thread.
 */
final class Outcomes implements DeliveryListener {
    /** One outcome: reason is null when delivered. */
    record Outcome(long id, String reason) {
        boolean delivered() {
            return reason == null;
        }
    }

    private final List<Outcome> outcomes = new CopyOnWriteArrayList<>();

    @Override
    public void delivered(final long deliveryId) {
        outcomes.add(new Outcome(deliveryId, null));
    }

    @Override
    public void abandoned(final long deliveryId, final String reason) {
        outcomes.add(new Outcome(deliveryId, reason));
    }

    List<Outcome> all() {
        return List.copyOf(outcomes);
    }

    /** Polls {@code condition} until it holds or {@code timeoutMs} passes, then fails with {@code what}. */
    static void await(final String what, final long timeoutMs, final BooleanSupplier condition) {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(5);   // a polling interval, not a synchronisation: the condition decides
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }
}
