package dev.ringmeter.server.mockllm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each shape's sample mean and spread over 200 000 draws, within tolerances far wider than the sampling error
 * (a standard error of about 0.2 % of the deviation) and far narrower than the difference a wrong formula makes.
 */
@Timeout(30)
class DistributionTest {
    private static final int DRAWS = 200_000;

    private static double[] draws(final String text) {
        final Distribution d = Distribution.parse(text);
        final Random random = new Random(42);
        final double[] v = new double[DRAWS];
        for (int i = 0; i < DRAWS; i++) {
            v[i] = d.sample(random);
        }
        return v;
    }

    private static double mean(final double[] v) {
        return Arrays.stream(v).average().orElseThrow();
    }

    private static double sd(final double[] v) {
        final double m = mean(v);
        return Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1));
    }

    private static void within(final double expected, final double actual, final double relative, final String what) {
        assertTrue(Math.abs(actual - expected) <= relative * expected,
            what + ": expected " + expected + " within " + relative * 100 + " % but was " + actual);
    }

    @Test
    void fixedAlwaysGivesItsValueWithOrWithoutTheName() {
        assertTrue(Arrays.stream(draws("fixed:7.5")).allMatch(x -> x == 7.5));
        assertTrue(Arrays.stream(draws("12")).allMatch(x -> x == 12));
    }

    @Test
    void uniformStaysInItsBoundsWithTheMeanAndSpreadOfAUniform() {
        final double[] v = draws("uniform:100,300");
        assertTrue(Arrays.stream(v).allMatch(x -> x >= 100 && x < 300));
        within(200, mean(v), 0.01, "mean");
        within(200 / Math.sqrt(12), sd(v), 0.02, "standard deviation");
        assertTrue(Arrays.stream(v).min().orElseThrow() < 101 && Arrays.stream(v).max().orElseThrow() > 299,
            "draws fill the range");
    }

    @Test
    void normalHasItsMeanAndStandardDeviation() {
        final double[] v = draws("normal:200,20");
        within(200, mean(v), 0.005, "mean");
        within(20, sd(v), 0.02, "standard deviation");
    }

    @Test
    void lognormalIsReadAsMedianAndSigmaOfTheLogarithm() {
        final double[] v = draws("lognormal:200,0.3");
        final double[] sorted = v.clone();
        Arrays.sort(sorted);
        within(200, sorted[DRAWS / 2], 0.01, "median");
        within(200 * Math.exp(0.045), mean(v), 0.01, "mean");
        within(Distribution.parse("lognormal:200,0.3").standardDeviation(), sd(v), 0.03, "standard deviation");
        assertTrue(sorted[DRAWS * 99 / 100] > 200 * Math.exp(0.3 * 2.2), "a long right tail");
    }

    @Test
    void exponentialHasEqualMeanAndStandardDeviation() {
        final double[] v = draws("exponential:50");
        within(50, mean(v), 0.01, "mean");
        within(50, sd(v), 0.03, "standard deviation");
    }

    @Test
    void normalDrawsBelowZeroAreTakenAsZero() {
        assertTrue(Arrays.stream(draws("normal:1,10")).allMatch(x -> x >= 0));
    }

    @Test
    void badTextIsRefusedWithAMessageSayingWhatIsWrong() {
        assertEquals("unknown distribution 'gamma' in 'gamma:1,2'; use fixed, uniform, normal, lognormal or"
            + " exponential", assertThrows(IllegalArgumentException.class, () -> Distribution.parse("gamma:1,2"))
            .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Distribution.parse("uniform:3"))
            .getMessage().contains("needs 2 numbers"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Distribution.parse("uniform:3,1"))
            .getMessage().contains("high bound is below"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Distribution.parse("-4"))
            .getMessage().contains("between 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Distribution.parse("lognormal:200,x"))
            .getMessage().contains("'x'"));
    }

    @Test
    void aModelsOverridesMayHoldCommasInsideADistribution() {
        final ModelProfile p = MockLlmConfig.defaults().defaultProfile()
            .with("ttft:lognormal:400,0.2,itl:30,chunk:4,reasoning:uniform:8,16");
        assertEquals(Distribution.Shape.LOGNORMAL, p.ttftMs().shape());
        assertEquals(30, p.itlMs().mean());
        assertEquals(4, p.tokensPerChunk());
        assertEquals(12, p.reasoningTokens().mean());
        assertEquals(16, p.outputTokens().mean(), "what is not overridden is the default");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p.with("latency:4")).getMessage()
            .contains("'latency:4'"));
    }
}
