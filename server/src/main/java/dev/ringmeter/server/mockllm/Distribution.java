package dev.ringmeter.server.mockllm;

import java.util.Locale;
import java.util.Random;

/**
 * A distribution of non-negative values that {@link MockLlm} draws delays and lengths from: {@code fixed:V} (or just
 * {@code V}), {@code uniform:LO,HI}, {@code normal:MEAN,SD}, {@code lognormal:MEDIAN,SIGMA} (SIGMA of the logarithm,
 * so the mean is MEDIAN·e^(SIGMA²/2)), {@code exponential:MEAN}. A draw below zero (normal) is taken as zero; a draw
 * above {@link #MAX_VALUE} as that.
 * <p>
 * Threading: immutable, so safe to share; each draw uses the caller's {@link Random}.
 */
public final class Distribution {
    /** The largest value a draw returns: one hour in milliseconds, far beyond any length or delay asked for. */
    public static final double MAX_VALUE = 3_600_000;

    /** The shapes. */
    public enum Shape { FIXED, UNIFORM, NORMAL, LOGNORMAL, EXPONENTIAL }

    private final Shape shape;
    private final double a;
    private final double b;

    private Distribution(final Shape shape, final double a, final double b) {
        this.shape = shape;
        this.a = a;
        this.b = b;
    }

    /**
     * @param value the one value.
     * @return a distribution that always gives it.
     */
    public static Distribution fixed(final double value) {
        return new Distribution(Shape.FIXED, check("value", value), 0);
    }

    /**
     * @param text e.g. {@code 200}, {@code fixed:200}, {@code uniform:100,300}, {@code normal:200,20},
     *             {@code lognormal:200,0.3}, {@code exponential:200}.
     * @return the distribution.
     * @throws IllegalArgumentException saying what was expected.
     */
    public static Distribution parse(final String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a distribution must be given, e.g. 200 or lognormal:200,0.3");
        }
        final String t = text.trim().toLowerCase(Locale.ROOT);
        final int colon = t.indexOf(':');
        if (colon < 0) {
            return fixed(number(text, t));
        }
        final String name = t.substring(0, colon);
        final String[] args = t.substring(colon + 1).split(",", -1);
        switch (name) {
            case "fixed":
                arity(text, args, 1);
                return fixed(number(text, args[0]));
            case "uniform": {
                arity(text, args, 2);
                final double lo = check("uniform's low", number(text, args[0]));
                final double hi = check("uniform's high", number(text, args[1]));
                if (hi < lo) {
                    throw new IllegalArgumentException("in '" + text + "' the high bound is below the low one");
                }
                return new Distribution(Shape.UNIFORM, lo, hi);
            }
            case "normal":
                arity(text, args, 2);
                return new Distribution(Shape.NORMAL, check("normal's mean", number(text, args[0])),
                    check("normal's standard deviation", number(text, args[1])));
            case "lognormal": {
                arity(text, args, 2);
                final double median = check("lognormal's median", number(text, args[0]));
                if (median <= 0) {
                    throw new IllegalArgumentException("in '" + text + "' the median must be above 0");
                }
                final double sigma = number(text, args[1]);
                if (!(sigma >= 0 && sigma <= 5)) {
                    throw new IllegalArgumentException("in '" + text + "' sigma must be between 0 and 5");
                }
                return new Distribution(Shape.LOGNORMAL, median, sigma);
            }
            case "exponential":
                arity(text, args, 1);
                return new Distribution(Shape.EXPONENTIAL, check("exponential's mean", number(text, args[0])), 0);
            default:
                throw new IllegalArgumentException("unknown distribution '" + name + "' in '" + text
                    + "'; use fixed, uniform, normal, lognormal or exponential");
        }
    }

    /**
     * @param random to draw with.
     * @return a value between 0 and {@link #MAX_VALUE}.
     */
    public double sample(final Random random) {
        final double v;
        switch (shape) {
            case FIXED: return a;
            case UNIFORM: v = a + (b - a) * random.nextDouble(); break;
            case NORMAL: v = a + b * random.nextGaussian(); break;
            case LOGNORMAL: v = a * Math.exp(b * random.nextGaussian()); break;
            case EXPONENTIAL: v = -a * Math.log(1 - random.nextDouble()); break;
            default: throw new IllegalStateException(shape.name());
        }
        return Math.max(0, Math.min(MAX_VALUE, v));
    }

    /** @return the mean of the distribution (before the clamp at 0 and {@link #MAX_VALUE}). */
    public double mean() {
        switch (shape) {
            case UNIFORM: return (a + b) / 2;
            case LOGNORMAL: return a * Math.exp(b * b / 2);
            default: return a;
        }
    }

    /** @return the standard deviation (before the clamp). */
    public double standardDeviation() {
        switch (shape) {
            case UNIFORM: return (b - a) / Math.sqrt(12);
            case NORMAL: return b;
            case LOGNORMAL: return mean() * Math.sqrt(Math.exp(b * b) - 1);
            case EXPONENTIAL: return a;
            default: return 0;
        }
    }

    /** @return its shape. */
    public Shape shape() {
        return shape;
    }

    @Override
    public String toString() {
        switch (shape) {
            case FIXED: return "fixed:" + a;
            case EXPONENTIAL: return "exponential:" + a;
            default: return shape.name().toLowerCase(Locale.ROOT) + ":" + a + "," + b;
        }
    }

    private static void arity(final String text, final String[] args, final int n) {
        if (args.length != n) {
            throw new IllegalArgumentException("'" + text + "' needs " + n + (n == 1 ? " number" : " numbers")
                + " after the colon");
        }
    }

    private static double number(final String text, final String s) {
        try {
            return check("value", Double.parseDouble(s.trim()));
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("'" + s.trim() + "' in '" + text + "' is not a number");
        }
    }

    private static double check(final String what, final double v) {
        if (!(v >= 0 && v <= MAX_VALUE)) {
            throw new IllegalArgumentException(what + " must be between 0 and " + (long)MAX_VALUE + " but was " + v);
        }
        return v;
    }
}
