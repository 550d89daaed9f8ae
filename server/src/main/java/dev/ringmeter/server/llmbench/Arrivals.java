package dev.ringmeter.server.llmbench;

import java.util.SplittableRandom;

/**
 * The open loop's schedule: absolute send times in {@link System#nanoTime()}, at a constant rate or with
 * gamma-distributed inter-arrivals of mean 1/rate and shape {@code burstiness} (exponential, so Poisson arrivals, at
 * 1; burstier below 1, as vLLM's {@code --burstiness}); during a ramp-up the rate grows linearly from 5 % to all of
 * it. Not thread-safe: the benchmark's driver thread owns it.
 */
final class Arrivals {
    private final boolean poisson;
    private final double ratePerSec;
    private final double burstiness;
    private final long rampUpNs;
    private final long startNs;
    private final SplittableRandom random;
    private double nextNs;

    /**
     * @param poisson    gamma inter-arrivals, else constant.
     * @param ratePerSec the mean rate.
     * @param burstiness the gamma shape.
     * @param rampUpNs   the ramp-up, 0 for none.
     * @param startNs    the first arrival's time.
     * @param seed       the random seed.
     */
    Arrivals(final boolean poisson, final double ratePerSec, final double burstiness, final long rampUpNs,
             final long startNs, final long seed) {
        this.poisson = poisson;
        this.ratePerSec = ratePerSec;
        this.burstiness = burstiness;
        this.rampUpNs = rampUpNs;
        this.startNs = startNs;
        this.random = new SplittableRandom(seed);
        this.nextNs = startNs;
    }

    /** @return the next arrival's scheduled time (not consumed). */
    long peekNs() {
        return (long)nextNs;
    }

    /** @return the next arrival's scheduled time, and moves on to the one after. */
    long takeNs() {
        final long at = (long)nextNs;
        double gapNs = 1e9 / ratePerSec;
        if (poisson) {
            gapNs *= gamma(burstiness) / burstiness;
        }
        if (rampUpNs > 0 && nextNs - startNs < rampUpNs) {
            gapNs /= Math.max(0.05, (nextNs - startNs) / rampUpNs);
        }
        nextNs += gapNs;
        return at;
    }

    /** A gamma variate of this shape and scale 1 (Marsaglia and Tsang; boosted for shapes below 1). */
    private double gamma(final double shape) {
        if (shape < 1) {
            return gamma(shape + 1) * Math.pow(random.nextDouble(), 1 / shape);
        }
        final double d = shape - 1.0 / 3;
        final double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = normal();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            final double u = random.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    private double normal() {
        final double u1 = 1 - random.nextDouble();
        final double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
