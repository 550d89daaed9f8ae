package dev.ringmeter.core.cost;

/**
 * How a price entry's pattern matches a model name, most specific first: the order is the precedence
 * ({@link PriceEntry#PRECEDENCE}).
 * <p>
 * Threading: constants; any thread.
 */
public enum MatchKind {
    /** The model name equals the pattern. */
    EXACT,
    /** The model name starts with the pattern; a longer prefix is more specific than a shorter one. */
    PREFIX,
    /** The model name matches the regular expression as a whole ({@link java.util.regex.Matcher#matches()}). */
    REGEX;

    /** @return the name on the wire: {@code exact}, {@code prefix}, {@code regex}. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * @param wire a wire name.
     * @return the kind, or null if the name is none.
     */
    public static MatchKind ofWire(final String wire) {
        for (final MatchKind k : values()) {
            if (k.wireName().equals(wire)) {
                return k;
            }
        }
        return null;
    }
}
