package dev.ringmeter.core.decide;

/**
 * What a {@link Comparison} concludes about group b against group a at its confidence level.
 * <p>
 * Threading: an enum; any thread.
 */
public enum Verdict {
    /** The whole interval of b − a lies on the better side of 0: b is better than a. */
    BETTER,
    /** The whole interval of b − a lies on the worse side of 0: b is worse than a. */
    WORSE,
    /** The interval of b − a contains 0: the data do not show a difference at this confidence level. */
    NO_SIGNIFICANT_DIFFERENCE,
    /** A group has fewer samples than the method's minimum (the comparison's reason says which); no verdict. */
    INSUFFICIENT_DATA
}
