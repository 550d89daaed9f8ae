package dev.ringmeter.core.cost;

import dev.ringmeter.InvalidEventException;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The rules a price entry must meet, written once for the embedded store and the server's price routes: a pattern
 * of 1 to {@value #MAX_PATTERN_LENGTH} chars (a regular expression that compiles), an effective-from time &gt;= 0,
 * input and output prices that are finite and &gt;= 0, optional cached-read, cache-write and reasoning prices that are
 * absent (NaN) or finite and &gt;= 0, and at most {@value #MAX_TIERS} tiers whose thresholds are &gt; 0 and strictly
 * ascending. Each refusal is an {@link InvalidEventException} naming the field ({@code tiers[1].aboveInputTokens}
 * for a tier's).
 * <p>
 * Threading: stateless; any thread.
 */
public final class PriceEntryRules {
    /** The longest pattern, as the dictionary's longest string. */
    public static final int MAX_PATTERN_LENGTH = 256;
    /** The most tiers above the base prices. */
    public static final int MAX_TIERS = 8;
    public static final String MATCH = "match";
    public static final String MODEL = "model";
    public static final String EFFECTIVE_FROM_MS = "effectiveFromMs";
    public static final String TIERS = "tiers";
    public static final String ABOVE_INPUT_TOKENS = "aboveInputTokens";
    public static final String INPUT = "inputUsdPerMillion";
    public static final String OUTPUT = "outputUsdPerMillion";
    public static final String CACHE_READ = "cacheReadUsdPerMillion";
    public static final String CACHE_WRITE = "cacheWriteUsdPerMillion";
    public static final String REASONING = "reasoningUsdPerMillion";

    private PriceEntryRules() {
    }

    /**
     * @param match           how the pattern matches; required.
     * @param pattern         the model name, prefix or regular expression.
     * @param effectiveFromMs epoch ms.
     * @param base            the base prices.
     * @param tiers           the tiers above them.
     * @throws InvalidEventException naming the first field that breaks a rule.
     */
    public static void check(final MatchKind match, final String pattern, final long effectiveFromMs,
                             final PriceTier base, final PriceTier[] tiers) {
        if (match == null) {
            throw new InvalidEventException(MATCH, "must be one of exact, prefix, regex");
        }
        if (pattern == null || pattern.isEmpty()) {
            throw new InvalidEventException(MODEL, "is required");
        }
        if (pattern.length() > MAX_PATTERN_LENGTH) {
            throw new InvalidEventException(MODEL, "is " + pattern.length() + " chars long, more than "
                + MAX_PATTERN_LENGTH);
        }
        if (match == MatchKind.REGEX) {
            try {
                Pattern.compile(pattern);
            } catch (final PatternSyntaxException e) {
                throw new InvalidEventException(MODEL, "is not a valid regular expression: "
                    + e.getDescription() + " near index " + e.getIndex());
            }
        }
        if (effectiveFromMs < 0) {
            throw new InvalidEventException(EFFECTIVE_FROM_MS, "must be >= 0 but was " + effectiveFromMs);
        }
        checkTier("", base);
        if (tiers.length > MAX_TIERS) {
            throw new InvalidEventException(TIERS, "has " + tiers.length + " tiers, more than " + MAX_TIERS);
        }
        long previous = 0;
        for (int i = 0; i < tiers.length; i++) {
            final String prefix = TIERS + "[" + i + "].";
            final long above = tiers[i].aboveInputTokens();
            if (above <= previous) {
                throw new InvalidEventException(prefix + ABOVE_INPUT_TOKENS, "must be greater than "
                    + (i == 0 ? "0" : "the previous tier's (" + previous + ")") + " but was " + above
                    + ": tiers go in ascending order");
            }
            previous = above;
            checkTier(prefix, tiers[i]);
        }
    }

    private static void checkTier(final String prefix, final PriceTier t) {
        required(prefix + INPUT, t.inputUsdPerMillion());
        required(prefix + OUTPUT, t.outputUsdPerMillion());
        optional(prefix + CACHE_READ, t.cacheReadUsdPerMillion());
        optional(prefix + CACHE_WRITE, t.cacheWriteUsdPerMillion());
        optional(prefix + REASONING, t.reasoningUsdPerMillion());
    }

    private static void required(final String field, final double usdPerMillion) {
        if (!(usdPerMillion >= 0) || Double.isInfinite(usdPerMillion)) {
            throw new InvalidEventException(field, "must be a finite number >= 0 but was " + usdPerMillion);
        }
    }

    private static void optional(final String field, final double usdPerMillion) {
        if (usdPerMillion == usdPerMillion) {
            required(field, usdPerMillion);
        }
    }
}
