package dev.ringmeter.langchain4j;

/**
 * The instants of one chat call, kept in its listener attributes under {@link #KEY}: its start, set at
 * {@code onRequest}, and its first streamed chunk, set by {@link RingmeterStreamingChatModel}.
 * <p>
 * Threading: written by the thread that starts the call and the one that delivers its chunks, read by the one that
 * completes it; the fields are volatile.
 */
final class CallTiming {
    /** The attribute key; an object of this package, so no caller's key can clash with it. */
    static final Object KEY = new Object() {
        @Override
        public String toString() {
            return "ringmeter.timing";
        }
    };

    volatile long startNs;
    volatile long startMs;
    volatile long firstChunkNs;

    /** Marks the first chunk; later calls change nothing. */
    void chunk() {
        if (firstChunkNs == 0) {
            firstChunkNs = System.nanoTime();
        }
    }
}
