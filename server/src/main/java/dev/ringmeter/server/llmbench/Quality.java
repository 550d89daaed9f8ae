package dev.ringmeter.server.llmbench;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Scores an answer against an expected answer: exact match, contains, regex and token F1, each 0 to 1, recorded as
 * the quality score {@code match_<kind>}. Stateless; any thread.
 */
final class Quality {
    private static final Pattern PUNCTUATION = Pattern.compile("[\\p{Punct}]");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private Quality() {
    }

    /** @return the score's name for a kind of match. */
    static String name(final BenchmarkSpec.Match match) {
        return "match_" + match.wireName();
    }

    /**
     * @param match    how to score (null: exact).
     * @param expected the expected answer.
     * @param answer   the answer.
     * @return the score, 0 to 1.
     */
    static double score(final BenchmarkSpec.Match match, final String expected, final String answer) {
        switch (match == null ? BenchmarkSpec.Match.EXACT : match) {
            case CONTAINS:
                return answer.contains(expected) ? 1 : 0;
            case REGEX:
                return Pattern.compile(expected).matcher(answer).find() ? 1 : 0;
            case F1:
                return f1(expected, answer);
            case EXACT:
            default:
                return answer.trim().equals(expected.trim()) ? 1 : 0;
        }
    }

    /** SQuAD's token F1: lower case, punctuation removed, split on white space, overlap counted with multiplicity. */
    static double f1(final String expected, final String answer) {
        final String[] e = tokens(expected);
        final String[] a = tokens(answer);
        if (e.length == 0 || a.length == 0) {
            return e.length == a.length ? 1 : 0;
        }
        final Map<String, Integer> counts = new HashMap<>();
        for (final String t : e) {
            counts.merge(t, 1, Integer::sum);
        }
        int common = 0;
        for (final String t : a) {
            final Integer n = counts.get(t);
            if (n != null && n > 0) {
                common++;
                counts.put(t, n - 1);
            }
        }
        if (common == 0) {
            return 0;
        }
        final double precision = (double)common / a.length;
        final double recall = (double)common / e.length;
        return 2 * precision * recall / (precision + recall);
    }

    private static String[] tokens(final String s) {
        final String t = SPACES.matcher(PUNCTUATION.matcher(s.toLowerCase(Locale.ROOT)).replaceAll(" ")).replaceAll(" ")
            .trim();
        return t.isEmpty() ? new String[0] : t.split(" ");
    }
}
