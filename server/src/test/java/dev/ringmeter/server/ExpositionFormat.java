package dev.ringmeter.server;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A checker of the Prometheus text exposition format 0.0.4, independent of promtool: the line grammar (names,
 * labels with their escapes, values), one TYPE per family before its samples, a family's samples together, and
 * histograms whose buckets are cumulative up to +Inf equal to _count. Returns the samples it read.
 */
final class ExpositionFormat {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
    private static final String VALUE = "(?:[+-]?Inf|NaN|[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)";
    private static final Pattern SAMPLE = Pattern.compile(
        "(" + NAME + ")(?:\\{((?:" + LABEL + ")(?:," + LABEL + ")*,?)?\\})? (" + VALUE + ")(?: -?[0-9]+)?");
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") .*");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");

    private ExpositionFormat() {
    }

    /**
     * @param text an exposition.
     * @return every sample, by its full series text (name and labels as written), to its value.
     * @throws AssertionError saying which line breaks which rule.
     */
    static Map<String, Double> check(final String text) {
        if (!text.endsWith("\n")) {
            throw new AssertionError("an exposition ends with a line feed");
        }
        final Map<String, String> types = new HashMap<>();
        final Set<String> closed = new HashSet<>();
        final Map<String, Double> samples = new LinkedHashMap<>();
        final Map<String, Double> lastBucket = new HashMap<>();
        String current = null;
        int n = 0;
        for (final String line : text.split("\n")) {
            n++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                final Matcher type = TYPE.matcher(line);
                if (type.matches()) {
                    if (types.put(type.group(1), type.group(2)) != null) {
                        throw new AssertionError("line " + n + ": a second TYPE for " + type.group(1));
                    }
                    continue;
                }
                if (line.startsWith("# HELP ") && !HELP.matcher(line).matches()) {
                    throw new AssertionError("line " + n + ": bad HELP: " + line);
                }
                continue;
            }
            final Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("line " + n + ": not a sample: " + line);
            }
            final String name = m.group(1);
            final String family = family(name, types);
            if (family == null) {
                throw new AssertionError("line " + n + ": no TYPE before the samples of " + name);
            }
            if (!family.equals(current)) {
                if (closed.contains(family)) {
                    throw new AssertionError("line " + n + ": the samples of " + family + " are not together");
                }
                if (current != null) {
                    closed.add(current);
                }
                current = family;
            }
            final String series = line.substring(0, line.lastIndexOf(' '));
            final double value = parse(m.group(3));
            if (samples.put(series, value) != null) {
                throw new AssertionError("line " + n + ": a second sample of " + series);
            }
            if ("counter".equals(types.get(family)) && (value < 0 || !name.endsWith("_total"))) {
                throw new AssertionError("line " + n + ": a counter is >= 0 and named *_total: " + line);
            }
            if (name.endsWith("_bucket") && "histogram".equals(types.get(family))) {
                final String labels = m.group(2);
                final String key = name + labels.replaceAll(",?le=\"[^\"]*\"", "");
                final Double before = lastBucket.put(key, value);
                if (before != null && value < before) {
                    throw new AssertionError("line " + n + ": buckets are cumulative: " + line);
                }
                if (labels.contains("le=\"+Inf\"")) {
                    lastBucket.put(key + "#inf", value);
                }
            }
            if (name.endsWith("_count") && "histogram".equals(types.get(family))) {
                final String labels = m.group(2) == null ? "" : m.group(2);
                final Double inf = lastBucket.get(family + "_bucket" + labels + "#inf");
                if (inf == null || inf != value) {
                    throw new AssertionError("line " + n + ": _count must equal the +Inf bucket: " + line);
                }
            }
        }
        return samples;
    }

    private static String family(final String name, final Map<String, String> types) {
        if (types.containsKey(name)) {
            return name;
        }
        for (final String suffix : new String[] {"_bucket", "_sum", "_count"}) {
            if (name.endsWith(suffix)) {
                final String base = name.substring(0, name.length() - suffix.length());
                if ("histogram".equals(types.get(base)) || "summary".equals(types.get(base))) {
                    return base;
                }
            }
        }
        return null;
    }

    private static double parse(final String v) {
        switch (v) {
            case "+Inf":
            case "Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                return Double.parseDouble(v);
        }
    }
}
