package dev.ringmeter.core.decide;

/**
 * The statistical method behind a {@link Comparison}, so that a reader can look it up.
 * <p>
 * Threading: an enum; any thread.
 */
public enum Method {
    /**
     * Percentile bootstrap of the difference of two quantiles, resampled from the groups' histograms through the
     * Beta distribution of a resample's order statistic ({@link Significance#percentile}).
     */
    BOOTSTRAP_QUANTILE("percentile bootstrap from histograms (Beta order statistics)"),
    /** Wilson score interval of each proportion, Newcombe's hybrid score interval (method 10) of the difference. */
    NEWCOMBE_HYBRID_SCORE("Wilson score intervals, Newcombe hybrid score interval of the difference"),
    /** Welch's unequal-variance t interval of the difference of two means. */
    WELCH("Welch t interval (Welch-Satterthwaite degrees of freedom)");

    private final String description;

    Method(final String description) {
        this.description = description;
    }

    /** @return the method in words, for a person reading a result. */
    public String description() {
        return description;
    }
}
