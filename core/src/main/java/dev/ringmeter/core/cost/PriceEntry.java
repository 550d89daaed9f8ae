package dev.ringmeter.core.cost;

import java.util.Arrays;
import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * One price entry: which models it prices ({@link #match} and {@link #pattern}), from when
 * ({@link #effectiveFromMs}), and at what prices: the base prices ({@link #base}, a tier above 0 tokens) and the
 * tiers by prompt size, ascending. A regular expression is compiled once, here; it is evaluated when a model's
 * entries are resolved ({@link PriceBook}), never per event.
 * <p>
 * <b>Precedence</b> ({@link #PRECEDENCE}): of the entries that match a model and are in force at an event's time
 * (effective-from not after it), the most specific wins: exact over prefix over regex, a longer prefix over a
 * shorter one; then the latest effective-from; then the entry changed last (the highest {@link #revision}).
 * <p>
 * Threading: immutable; any thread.
 */
public final class PriceEntry {
    /** Most specific first; then the latest effective-from; then the latest change. */
    public static final Comparator<PriceEntry> PRECEDENCE = Comparator
        .comparingInt((PriceEntry e) -> e.match.ordinal())
        .thenComparing(Comparator.comparingInt((PriceEntry e) -> e.match == MatchKind.PREFIX
            ? e.pattern.length() : 0).reversed())
        .thenComparing(Comparator.comparingLong((PriceEntry e) -> e.effectiveFromMs).reversed())
        .thenComparing(Comparator.comparingLong((PriceEntry e) -> e.revision).reversed());

    private final long id;
    private final long revision;
    private final boolean builtIn;
    private final MatchKind match;
    private final String pattern;
    private final Pattern regex;
    private final long effectiveFromMs;
    private final PriceTier base;
    private final PriceTier[] tiers;

    /**
     * @param id              the entry's id (built-in entries: negative).
     * @param revision        the price book's revision that last set it (0 for built-in entries).
     * @param builtIn         whether it comes from the built-in list.
     * @param match           how the pattern matches.
     * @param pattern         a model name, a prefix or a regular expression (checked by {@link PriceEntryRules}).
     * @param effectiveFromMs epoch ms from which it applies.
     * @param base            the prices below every tier (its threshold is 0).
     * @param tiers           ascending thresholds above 0; copied.
     */
    public PriceEntry(final long id, final long revision, final boolean builtIn, final MatchKind match,
                      final String pattern, final long effectiveFromMs, final PriceTier base,
                      final PriceTier[] tiers) {
        this.id = id;
        this.revision = revision;
        this.builtIn = builtIn;
        this.match = match;
        this.pattern = pattern;
        this.regex = match == MatchKind.REGEX ? Pattern.compile(pattern) : null;
        this.effectiveFromMs = effectiveFromMs;
        this.base = base;
        this.tiers = tiers.clone();
    }

    /**
     * @param id       the id it keeps.
     * @param revision the change that sets it.
     * @return this entry with that id and revision.
     */
    public PriceEntry withIdentity(final long id, final long revision) {
        return new PriceEntry(id, revision, builtIn, match, pattern, effectiveFromMs, base, tiers);
    }

    /**
     * @param model a model name.
     * @return whether this entry prices it (at some time).
     */
    public boolean matches(final String model) {
        switch (match) {
            case EXACT:
                return pattern.equals(model);
            case PREFIX:
                return model.startsWith(pattern);
            default:
                return regex.matcher(model).matches();
        }
    }

    /**
     * The cost of a call at this entry's prices: the tier of its prompt size, then {@link PriceTier#costUsd}.
     * Allocates nothing.
     *
     * @return USD.
     */
    public double costUsd(final long promptTokens, final long completionTokens, final long cachedTokens,
                          final long cacheWriteTokens, final long reasoningTokens) {
        return tierFor(promptTokens).costUsd(promptTokens, completionTokens, cachedTokens, cacheWriteTokens,
            reasoningTokens);
    }

    /**
     * @param promptTokens of a call (absent: 0).
     * @return the tier whose threshold is the highest below the prompt size, else the base prices.
     */
    public PriceTier tierFor(final long promptTokens) {
        for (int i = tiers.length - 1; i >= 0; i--) {
            if (promptTokens > tiers[i].aboveInputTokens()) {
                return tiers[i];
            }
        }
        return base;
    }

    public long id() {
        return id;
    }

    public long revision() {
        return revision;
    }

    public boolean builtIn() {
        return builtIn;
    }

    public MatchKind match() {
        return match;
    }

    public String pattern() {
        return pattern;
    }

    public long effectiveFromMs() {
        return effectiveFromMs;
    }

    public PriceTier base() {
        return base;
    }

    /** @return the tiers above the base, ascending; a copy. */
    public PriceTier[] tiers() {
        return tiers.clone();
    }

    /** @return how many tiers above the base. */
    public int tierCount() {
        return tiers.length;
    }

    /**
     * @param i below {@link #tierCount()}.
     * @return that tier.
     */
    public PriceTier tier(final int i) {
        return tiers[i];
    }

    @Override
    public boolean equals(final Object o) {
        if (!(o instanceof PriceEntry)) {
            return false;
        }
        final PriceEntry e = (PriceEntry)o;
        return id == e.id && revision == e.revision && builtIn == e.builtIn && match == e.match
            && pattern.equals(e.pattern) && effectiveFromMs == e.effectiveFromMs && base.equals(e.base)
            && Arrays.equals(tiers, e.tiers);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id) * 31 + Long.hashCode(revision);
    }

    @Override
    public String toString() {
        return "PriceEntry{" + id + " " + match.wireName() + " " + pattern + " from " + effectiveFromMs + "}";
    }
}
