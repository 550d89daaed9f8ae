package dev.ringmeter.core.decide;

import java.util.List;

/**
 * One candidate's place in {@link BestConfiguration#rank}: its rank, its score and every component of it.
 * <p>
 * Threading: immutable; any thread.
 *
 * @param rank       1 for the best; candidates with equal scores share a rank (1, 1, 3).
 * @param name       the candidate's name as given.
 * @param score      0 to 100: the sum of the components' weighted points.
 * @param components the four components in {@link Component} order.
 */
public record Ranking(int rank, String name, double score, List<ComponentScore> components) {
    public Ranking {
        components = List.copyOf(components);
    }

    /** @return whether any component was missing and counted as the worst. */
    public boolean incomplete() {
        for (final ComponentScore c : components) {
            if (c.missing()) {
                return true;
            }
        }
        return false;
    }
}
