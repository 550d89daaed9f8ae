package dev.ringmeter.core.cost;

/**
 * The prices of a call whose prompt is larger than a threshold: above {@link #aboveInputTokens} prompt tokens the
 * whole call is billed at these prices, as providers bill long contexts. Prices in USD per million tokens; NaN
 * means "as the default": cached reads and cache writes default to this tier's input price, reasoning to its output.
 * <p>
 * Threading: immutable; any thread.
 *
 * @param aboveInputTokens          the tier applies to a call of more prompt tokens than this (&gt;= 0).
 * @param inputUsdPerMillion        USD per million uncached prompt tokens.
 * @param outputUsdPerMillion       USD per million completion tokens other than reasoning.
 * @param cacheReadUsdPerMillion    USD per million prompt tokens read from the cache, or NaN for the input price.
 * @param cacheWriteUsdPerMillion   USD per million prompt tokens written to the cache, or NaN for the input price.
 * @param reasoningUsdPerMillion    USD per million reasoning tokens, or NaN for the output price.
 */
public record PriceTier(long aboveInputTokens, double inputUsdPerMillion, double outputUsdPerMillion,
                        double cacheReadUsdPerMillion, double cacheWriteUsdPerMillion,
                        double reasoningUsdPerMillion) {

    /**
     * The cost rule, written once. The token parts are counted inside their totals (see {@code Event}): cached and
     * cache-write tokens inside the prompt tokens, reasoning tokens inside the completion tokens. So
     * <pre>
     *   cost = (prompt - cached - cacheWrite) x input + cached x cacheRead + cacheWrite x cacheWrite
     *        + (completion - reasoning) x output + reasoning x reasoning          (each price per million)
     * </pre>
     * An absent count ({@code Event.NONE}, negative) is 0. Allocates nothing.
     *
     * @param promptTokens     prompt tokens, with the cached and cache-write ones.
     * @param completionTokens completion tokens, with the reasoning ones.
     * @param cachedTokens     prompt tokens read from the cache.
     * @param cacheWriteTokens prompt tokens written to the cache.
     * @param reasoningTokens  completion tokens spent reasoning.
     * @return the cost in USD.
     */
    public double costUsd(final long promptTokens, final long completionTokens, final long cachedTokens,
                          final long cacheWriteTokens, final long reasoningTokens) {
        final long prompt = Math.max(0, promptTokens);
        final long cached = Math.max(0, cachedTokens);
        final long written = Math.max(0, cacheWriteTokens);
        final long completion = Math.max(0, completionTokens);
        final long reasoning = Math.max(0, reasoningTokens);
        final long uncached = Math.max(0, prompt - cached - written);
        final long plainOutput = Math.max(0, completion - reasoning);
        final double cacheRead = cacheReadUsdPerMillion == cacheReadUsdPerMillion
            ? cacheReadUsdPerMillion : inputUsdPerMillion;
        final double cacheWrite = cacheWriteUsdPerMillion == cacheWriteUsdPerMillion
            ? cacheWriteUsdPerMillion : inputUsdPerMillion;
        final double reasoningPrice = reasoningUsdPerMillion == reasoningUsdPerMillion
            ? reasoningUsdPerMillion : outputUsdPerMillion;
        return (uncached * inputUsdPerMillion + cached * cacheRead + written * cacheWrite
            + plainOutput * outputUsdPerMillion + reasoning * reasoningPrice) / 1_000_000.0;
    }
}
