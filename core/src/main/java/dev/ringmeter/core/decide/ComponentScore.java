package dev.ringmeter.core.decide;

/**
 * One component of one candidate's score, every step shown: the raw value, its place between the worst and the
 * best candidate (normalised, 1 = best), and the points it adds to the score.
 * <p>
 * Threading: immutable; any thread.
 *
 * @param component  which component.
 * @param raw        the candidate's value, NaN if it has none.
 * @param normalised 0 (the worst candidate's value) to 1 (the best's); 1 when all candidates that have it
 *                   share one value; 0 when missing.
 * @param weight     the weight given in the query.
 * @param weighted   the points this component adds to the score: 100 · weight / total weight · normalised.
 * @param missing    whether the candidate had no value, so the component counted as the worst.
 */
public record ComponentScore(Component component, double raw, double normalised, double weight, double weighted,
                             boolean missing) {
}
