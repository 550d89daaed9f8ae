package dev.ringmeter.core.watch.alert;

import java.util.Locale;

/**
 * Where a rule's alert stands. A resolved alert is back to {@link #INACTIVE}; the history says it resolved.
 * <p>
 * Threading: an enum; any thread.
 */
public enum AlertState {
    /** The condition does not hold (or there is no data and it was not firing). */
    INACTIVE,
    /** The condition holds, for less than the rule's {@code for} so far. */
    PENDING,
    /** The condition held for the rule's {@code for}: notices went out. */
    FIRING;

    /** @return the name in the API: {@code inactive}, {@code pending}, {@code firing}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
