package dev.ringmeter.core.journal;

import java.util.List;

/**
 * The system properties that keep Chronicle Queue, the journal's library, quiet and private: no usage analytics
 * sent home, no start-up banner asking for an e-mail address, no performance log lines. Chronicle reads them when
 * its classes initialise, so {@link #applyDefaults()} must run before the first of them does: {@code StoreConfig}
 * calls it as its class initialises, and every store, journal and scan starts from a {@code StoreConfig} (a process
 * that used Chronicle itself before creating one keeps whatever it had). A property already set, with {@code -D} or
 * in code, is left as it is.
 * <p>
 * This class references no Chronicle class, so loading or calling it never initialises Chronicle.
 * <p>
 * Threading: any thread, any number of times.
 */
public final class ChronicleProperties {
    /** The properties {@link #applyDefaults()} sets to {@code true} unless they are set. */
    public static final List<String> NAMES = List.of(
        "chronicle.analytics.disable",
        "chronicle.announcer.disable",
        "disable.perf.info");

    private ChronicleProperties() {
    }

    /**
     * Sets each of {@link #NAMES} to {@code true} unless it already has a value.
     */
    public static void applyDefaults() {
        for (final String name : NAMES) {
            System.getProperties().putIfAbsent(name, "true");
        }
    }
}
