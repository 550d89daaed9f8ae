package dev.ringmeter;

/**
 * Whether a call was served from a cache (prompt cache, semantic cache, response cache).
 */
public enum CacheResult {
    UNKNOWN, HIT, MISS;

    private static final CacheResult[] VALUES = values();

    /**
     * @param ordinal as returned by {@link #ordinal()}.
     * @return the cache result with that ordinal.
     */
    public static CacheResult of(final int ordinal) {
        return VALUES[ordinal];
    }
}
