package dev.ringmeter.core.decide;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Ranks candidate configurations (models, configurations, runs) by a weighted score of quality, P95 latency, cost
 * per success and success rate, showing every component so that a person sees why one won.
 * <p>
 * Each component is min-max normalised across the candidates with its direction, so that 1 is the best
 * candidate's value and 0 the worst's: (x − min) / (max − min) where higher is better, (max − x) / (max − min)
 * where lower is. When every candidate that has the component shares one value (a tie, or a single candidate),
 * each of them gets 1. A candidate without a value counts as the worst (0) and the component is flagged
 * {@link ComponentScore#missing()}. The score is 100 · Σ weight · normalised / Σ weight, 0 to 100. Candidates are
 * ranked by score, highest first (equal scores share a rank and are listed by name).
 * <p>
 * The scale is relative: a score says where a candidate stands among these candidates, not against any absolute
 * target; adding or removing a candidate can change the others' scores.
 * <p>
 * Threading: stateless; any thread. Memory: the result, proportional to the candidates.
 */
public final class BestConfiguration {
    private static final Component[] COMPONENTS = Component.values();

    private BestConfiguration() {
    }

    /**
     * @param candidates each candidate's name and components (names and components not null).
     * @param weights    the weights of the query.
     * @return every candidate ranked, best first; empty for no candidate.
     */
    public static List<Ranking> rank(final Map<String, Components> candidates, final Weights weights) {
        Objects.requireNonNull(candidates, "candidates");
        Objects.requireNonNull(weights, "weights");
        final double[] min = new double[COMPONENTS.length];
        final double[] max = new double[COMPONENTS.length];
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (final Map.Entry<String, Components> e : candidates.entrySet()) {
            Objects.requireNonNull(e.getKey(), "candidate name");
            Objects.requireNonNull(e.getValue(), "components of " + e.getKey());
            for (final Component c : COMPONENTS) {
                final double x = e.getValue().value(c);
                if (!Double.isNaN(x)) {
                    min[c.ordinal()] = Math.min(min[c.ordinal()], x);
                    max[c.ordinal()] = Math.max(max[c.ordinal()], x);
                }
            }
        }
        final double total = weights.total();
        final List<Ranking> scored = new ArrayList<>(candidates.size());
        for (final Map.Entry<String, Components> e : candidates.entrySet()) {
            final List<ComponentScore> parts = new ArrayList<>(COMPONENTS.length);
            double score = 0;
            for (final Component c : COMPONENTS) {
                final double x = e.getValue().value(c);
                final boolean missing = Double.isNaN(x);
                final double normalised = missing ? 0 : normalised(x, min[c.ordinal()], max[c.ordinal()],
                    c.direction());
                final double weight = weights.weight(c);
                final double weighted = 100 * weight / total * normalised;
                score += weighted;
                parts.add(new ComponentScore(c, x, normalised, weight, weighted, missing));
            }
            scored.add(new Ranking(0, e.getKey(), score, parts));
        }
        scored.sort(Comparator.comparingDouble(Ranking::score).reversed().thenComparing(Ranking::name));
        final List<Ranking> ranked = new ArrayList<>(scored.size());
        for (int i = 0; i < scored.size(); i++) {
            final Ranking r = scored.get(i);
            final int rank = i > 0 && r.score() == scored.get(i - 1).score() ? ranked.get(i - 1).rank() : i + 1;
            ranked.add(new Ranking(rank, r.name(), r.score(), r.components()));
        }
        return List.copyOf(ranked);
    }

    /**
     * @return 1 for the best value among the candidates, 0 for the worst, linear between; 1 when all are equal.
     */
    static double normalised(final double x, final double min, final double max, final Direction direction) {
        if (max == min) {
            return 1;
        }
        return direction == Direction.HIGHER_IS_BETTER ? (x - min) / (max - min) : (max - x) / (max - min);
    }
}
