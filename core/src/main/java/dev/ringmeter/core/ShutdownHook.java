package dev.ringmeter.core;

/**
 * The JVM shutdown hook of a durable store: closes the store when the process stops (SIGTERM, Ctrl-C,
 * {@code System.exit}), so that a clean stop leaves a snapshot and nothing to replay. A store closed by its owner
 * removes its hook first. Only a SIGKILL or a crash skips it, which the journal covers.
 * <p>
 * Threading: registered by the thread that opens the store and removed by the one that closes it; the close action
 * runs on the hook's own thread, {@code ringmeter-shutdown}, possibly while the owner closes the store too, so it
 * must be idempotent and safe against a concurrent close.
 */
final class ShutdownHook {
    private final Thread thread;

    private ShutdownHook(final Runnable close) {
        this.thread = new Thread(close, "ringmeter-shutdown");
    }

    /**
     * @param close what the hook runs: closes the store, without removing the hook.
     * @return the registered hook.
     */
    static ShutdownHook register(final Runnable close) {
        final ShutdownHook hook = new ShutdownHook(close);
        Runtime.getRuntime().addShutdownHook(hook.thread);
        return hook;
    }

    /**
     * Removes the hook, unless the JVM is already shutting down (the hook is running or has run).
     */
    void remove() {
        try {
            Runtime.getRuntime().removeShutdownHook(thread);
        } catch (final IllegalStateException e) {
            // the JVM is already shutting down: the hook is running or has run
        }
    }
}
