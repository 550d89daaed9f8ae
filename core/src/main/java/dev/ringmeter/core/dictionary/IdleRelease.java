package dev.ringmeter.core.dictionary;

import java.util.Arrays;

/**
 * When each id of a {@linkplain Dimension#released() released} dimension was last used, and the periodic sweep
 * that has the {@link Dictionary} release the ones idle past its window. The aggregate handler, the ring's last
 * consumer, calls {@link #beginBatch} at the start of each batch (which sweeps when one is due: every sixteenth of
 * the idle window of store time, at least a second) and {@link #use} for each id of a released dimension in every
 * slot it applies, so a value is released between one and 17/16 idle windows after its last use.
 * <p>
 * Times are whole seconds of the store's clock ({@link #seconds}): one int per id, stored with a plain write.
 * <p>
 * Threading: one thread, the aggregate handler's, writes. {@link #use} is a plain array store; the arrays grow with
 * the dictionary's ids (bounded by the limits), so in steady state nothing is allocated. A dimension that is full
 * when a producer brings a new value sweeps itself on the producer's thread (see {@link Dictionary}), reading these
 * stamps without a happens-before edge: a stale stamp can only make a value look idle early.
 */
public final class IdleRelease {
    private final Dictionary dictionary;
    private final long sweepIntervalMs;
    private final int[][] lastUsedS = new int[Dimension.VALUES.length][];
    private long lastSweepMs;
    private boolean swept;
    private int nowS;

    /**
     * @param dictionary whose released dimensions this sweeps.
     */
    public IdleRelease(final Dictionary dictionary) {
        this.dictionary = dictionary;
        this.sweepIntervalMs = Math.max(1_000, dictionary.idleMs() / 16);
        for (int d = 0; d < lastUsedS.length; d++) {
            lastUsedS[d] = new int[16];
        }
        dictionary.trackUse(this);
    }

    /**
     * @param timeMs epoch ms.
     * @return the time in the seconds the dictionary stamps ids with.
     */
    static int seconds(final long timeMs) {
        return (int)Math.floorDiv(timeMs, 1000L);
    }

    /**
     * Starts a batch at the store's time, sweeping if one is due.
     *
     * @param timeMs the store's clock.
     * @return the number of ids released by a sweep now, 0 if none ran.
     */
    public int beginBatch(final long timeMs) {
        nowS = seconds(timeMs);
        if (swept && timeMs >= lastSweepMs && timeMs - lastSweepMs < sweepIntervalMs) {
            return 0;
        }
        swept = true;
        lastSweepMs = timeMs;
        return dictionary.releaseIdle(this, nowS);
    }

    /**
     * Notes that an id was used in the current batch.
     *
     * @param dimension a released dimension.
     * @param id        of the value, 0 for none.
     */
    public void use(final Dimension dimension, final int id) {
        if (id != 0) {
            int[] stamps = lastUsedS[dimension.ordinal()];
            if (id >= stamps.length) {
                stamps = Arrays.copyOf(stamps, Math.max(id + 1, stamps.length * 2));
                lastUsedS[dimension.ordinal()] = stamps;
            }
            stamps[id] = nowS;
        }
    }

    /** @return when the id was last used, or {@link Integer#MIN_VALUE} if never in this store's life. */
    int lastUsedS(final Dimension dimension, final int id) {
        final int[] stamps = lastUsedS[dimension.ordinal()];   // a racing reader may see an older, shorter array
        return id < stamps.length && stamps[id] != 0 ? stamps[id] : Integer.MIN_VALUE;
    }
}
