package dev.ringmeter.core.watch;

/**
 * The settings of an {@link AnomalyDetector}, validated once here. The defaults ({@link #DEFAULTS}) were chosen
 * from the detection delays and false alarms measured by {@code bench}'s {@code AnomalyReport} (docs/alerts.md,
 * "Anomaly detection").
 * <p>
 * Threading: an immutable value; any thread.
 *
 * @param window           how many of the last non-empty minutes make the baseline (its median and MAD).
 * @param minPoints        the fewest non-empty minutes in the baseline before any verdict; at most {@code window}.
 * @param spikeThreshold   the score, in the bad direction, at which a single minute is an anomaly (a spike).
 * @param shiftThreshold   the lower score at which {@code shiftMinutes} minutes in a row are an anomaly (a shift),
 *                         and under which an anomaly ends; at most {@code spikeThreshold}.
 * @param shiftMinutes     how many non-empty minutes in a row above {@code shiftThreshold} make a shift.
 * @param madFloorFraction the floor on the robust scale (1.4826 · MAD) as a fraction of |median|, so that a flat
 *                         series does not make every wiggle an anomaly.
 * @param minScale         the floor on the robust scale in the metric's own unit, for series whose median is 0
 *                         (an error rate of 0); 0 for none.
 */
public record AnomalyParameters(int window, int minPoints, double spikeThreshold, double shiftThreshold,
                                int shiftMinutes, double madFloorFraction, double minScale) {
    /** The most minutes a baseline may hold: a day. */
    public static final int MAX_WINDOW = 1_440;

    /** The measured defaults: docs/alerts.md says why each. */
    public static final AnomalyParameters DEFAULTS = new AnomalyParameters(120, 60, 6.0, 3.0, 3, 0.05, 0.0);

    /** @throws IllegalArgumentException naming the first setting out of range. */
    public AnomalyParameters {
        if (window < 2 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("window must be in [2, " + MAX_WINDOW + "]: " + window);
        }
        if (minPoints < 2 || minPoints > window) {
            throw new IllegalArgumentException("minPoints must be in [2, window]: " + minPoints);
        }
        if (!(shiftThreshold > 0) || Double.isInfinite(shiftThreshold)) {
            throw new IllegalArgumentException("shiftThreshold must be positive and finite: " + shiftThreshold);
        }
        if (!(spikeThreshold >= shiftThreshold) || Double.isInfinite(spikeThreshold)) {
            throw new IllegalArgumentException("spikeThreshold must be finite and at least shiftThreshold: "
                + spikeThreshold);
        }
        if (shiftMinutes < 1) {
            throw new IllegalArgumentException("shiftMinutes must be at least 1: " + shiftMinutes);
        }
        if (!(madFloorFraction >= 0) || Double.isInfinite(madFloorFraction)) {
            throw new IllegalArgumentException("madFloorFraction must be finite and not negative: "
                + madFloorFraction);
        }
        if (!(minScale >= 0) || Double.isInfinite(minScale)) {
            throw new IllegalArgumentException("minScale must be finite and not negative: " + minScale);
        }
        if (madFloorFraction == 0 && minScale == 0) {
            throw new IllegalArgumentException("madFloorFraction or minScale must be positive, or a constant series "
                + "would score every change as infinite");
        }
    }

    /** @return these settings with another window (and minPoints at most that window). */
    public AnomalyParameters withWindow(final int newWindow, final int newMinPoints) {
        return new AnomalyParameters(newWindow, newMinPoints, spikeThreshold, shiftThreshold, shiftMinutes,
            madFloorFraction, minScale);
    }

    /** @return these settings with other thresholds and run length. */
    public AnomalyParameters withThresholds(final double newSpike, final double newShift, final int newShiftMinutes) {
        return new AnomalyParameters(window, minPoints, newSpike, newShift, newShiftMinutes, madFloorFraction,
            minScale);
    }

    /** @return these settings with another floor in the metric's unit (e.g. 0.005 for an error rate). */
    public AnomalyParameters withMinScale(final double newMinScale) {
        return new AnomalyParameters(window, minPoints, spikeThreshold, shiftThreshold, shiftMinutes,
            madFloorFraction, newMinScale);
    }
}
