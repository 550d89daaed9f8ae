package dev.ringmeter.server.llmbench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What a benchmark does: its targets (OpenAI-compatible endpoints), models, work (prompts or synthetic prompts),
 * configurations (named parameter sets), trials, load shape, stop conditions, request timeout and SLOs. The matrix of
 * cells is targets x models x configurations x load points (each concurrency or rate of a sweep); each cell sends the
 * work list (every prompt, {@link #trials()} times) and each cell is one run in the store.
 * <p>
 * Immutable and validated once, in {@link Builder#build()}: {@link #fromJson(String)} goes through the builder, so
 * both forms obey the same rules and a bad value is a {@link BenchmarkSpecException} naming its field. An API key is
 * never part of a spec: a target names the environment variable that holds it ({@link Target#apiKeyEnv()}), read
 * when the benchmark starts. Threading: a spec may be shared freely between threads.
 */
public final class BenchmarkSpec {
    /** Most cells a benchmark may have (targets x models x configurations x load points). */
    public static final int MAX_CELLS = 256;
    /** Most prompts held in a spec or read from a prompts file. */
    public static final int MAX_PROMPTS = 100_000;
    /** Most requests in flight at once, whatever the load shape. */
    public static final int MAX_IN_FLIGHT = 4_096;
    /** Most tags of a spec (they become the runs' tags). */
    public static final int MAX_TAGS = 16;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    /** The API a target speaks. */
    public enum Api {
        /** {@code POST {baseUrl}/chat/completions} with {@code messages}. */
        CHAT("chat"),
        /** {@code POST {baseUrl}/completions} with {@code prompt}. */
        COMPLETIONS("completions");

        private final String wireName;

        Api(final String wireName) {
            this.wireName = wireName;
        }

        /** @return its name in the JSON form. */
        public String wireName() {
            return wireName;
        }
    }

    /** How requests are sent. */
    public enum LoadMode {
        /** A fixed number of requests in flight (each ends before its worker sends the next). */
        CLOSED("closed"),
        /** Open loop: requests at a constant rate, on an absolute schedule. */
        CONSTANT("constant"),
        /** Open loop: gamma-distributed inter-arrivals (exponential, i.e. Poisson, with burstiness 1). */
        POISSON("poisson");

        private final String wireName;

        LoadMode(final String wireName) {
            this.wireName = wireName;
        }

        /** @return its name in the JSON form. */
        public String wireName() {
            return wireName;
        }
    }

    /** How a prompt's answer is scored against its expected answer. */
    public enum Match {
        /** 1 if the answer equals the expected answer once both are trimmed, else 0. */
        EXACT("exact"),
        /** 1 if the answer contains the expected answer, else 0. */
        CONTAINS("contains"),
        /** 1 if the expected answer, a regular expression, finds a match in the answer, else 0. */
        REGEX("regex"),
        /** Token F1 (SQuAD's): lower-cased words, punctuation removed, harmonic mean of precision and recall. */
        F1("f1");

        private final String wireName;

        Match(final String wireName) {
            this.wireName = wireName;
        }

        /** @return its name in the JSON form and the quality score's name ({@code match_exact} and so on). */
        public String wireName() {
            return wireName;
        }
    }

    /**
     * An endpoint.
     *
     * @param name      how results name it.
     * @param baseUrl   its base, e.g. {@code http://127.0.0.1:8000/v1}; the API's path is appended.
     * @param api       chat or completions.
     * @param stream    whether to stream (SSE, with {@code stream_options.include_usage}).
     * @param apiKeyEnv the environment variable holding the bearer token, or null for none.
     */
    public record Target(String name, String baseUrl, Api api, boolean stream, String apiKeyEnv) {
        /** @return a streaming chat target named "default" with no key. */
        public static Target chat(final String baseUrl) {
            return new Target("default", baseUrl, Api.CHAT, true, null);
        }
    }

    /**
     * A named parameter set, sent in each request's body.
     *
     * @param name        how results and the run's configuration name it.
     * @param temperature or null to leave it out.
     * @param maxTokens   or null.
     * @param topP        or null.
     * @param extra       more body fields (e.g. {@code ignore_eos}, {@code min_tokens}): strings, numbers, booleans.
     */
    public record Configuration(String name, Double temperature, Integer maxTokens, Double topP,
                                Map<String, Object> extra) {
        /** Copies {@code extra}. */
        public Configuration {
            extra = extra == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
        }

        /** @return a configuration of that name with nothing set. */
        public static Configuration named(final String name) {
            return new Configuration(name, null, null, null, Map.of());
        }
    }

    /**
     * One chat message of a prompt.
     *
     * @param role    e.g. system, user, assistant.
     * @param content its text.
     */
    public record Message(String role, String content) {
    }

    /**
     * One prompt of the work list.
     *
     * @param prompt   the text (completions; for chat, one user message), or null if {@code messages} is given.
     * @param messages the chat messages, or empty.
     * @param expected the expected answer, or null.
     * @param match    how the answer is scored, or null for exact (ignored without {@code expected}).
     */
    public record Prompt(String prompt, List<Message> messages, String expected, Match match) {
        /** Copies {@code messages}. */
        public Prompt {
            messages = messages == null ? List.of() : List.copyOf(messages);
        }

        /** @return a prompt of one text with no expected answer. */
        public static Prompt of(final String prompt) {
            return new Prompt(prompt, List.of(), null, null);
        }
    }

    /**
     * Synthetic prompts: words of a fixed vocabulary, 3 words for 4 tokens (0.75 words a token, as OpenAI's
     * rule of thumb for English); the server's real prompt_tokens from usage is reported beside the target.
     *
     * @param inputTokens  the prompt's length to aim at, in tokens.
     * @param outputTokens the answer's length: max_tokens, and ignore_eos + min_tokens unless
     *                     {@code fixOutputLength} is false.
     * @param count        how many distinct prompts.
     * @param fixOutputLength whether to send ignore_eos and min_tokens (vLLM, SGLang and mock-llm take them).
     */
    public record Synthetic(int inputTokens, int outputTokens, int count, boolean fixOutputLength) {
    }

    /**
     * A warm-up or cool-down: a time, a request count, or both (whichever is reached last), or none.
     *
     * @param durationMs 0 for none.
     * @param requests   0 for none.
     */
    public record Phase(long durationMs, long requests) {
        /** No warm-up or cool-down. */
        public static final Phase NONE = new Phase(0, 0);

        /** @return whether it is empty. */
        public boolean none() {
            return durationMs == 0 && requests == 0;
        }
    }

    /**
     * The load shape.
     *
     * @param mode        closed, constant or poisson.
     * @param points      the concurrencies (closed) or rates in requests/s (open): one cell per point, a sweep if
     *                    more than one.
     * @param burstiness  the gamma shape of Poisson inter-arrivals (1 = Poisson; below 1 burstier; as vLLM's).
     * @param rampUpMs    closed: workers start evenly over it; open: the rate grows linearly from 0 over it.
     * @param warmup      sent first in each cell, excluded from results.
     * @param cooldown    sent after the stop condition, keeping the load on while the measured requests finish;
     *                    excluded from results.
     * @param maxInFlight open loop: most requests in flight at once; an arrival finding it full waits, and its
     *                    latency counts from its scheduled time.
     */
    public record Load(LoadMode mode, List<Double> points, double burstiness, long rampUpMs, Phase warmup,
                       Phase cooldown, int maxInFlight) {
        /** Copies {@code points}. */
        public Load {
            points = List.copyOf(points);
        }

        /** @return closed loop at each of these concurrencies. */
        public static Load closed(final int... concurrency) {
            final List<Double> p = new ArrayList<>();
            for (final int c : concurrency) {
                p.add((double)c);
            }
            return new Load(LoadMode.CLOSED, p, 1.0, 0, Phase.NONE, Phase.NONE, 1024);
        }

        /** @return open loop at each of these constant rates (requests/s). */
        public static Load constantRate(final double... ratePerSec) {
            return new Load(LoadMode.CONSTANT, boxed(ratePerSec), 1.0, 0, Phase.NONE, Phase.NONE, 1024);
        }

        /** @return open loop with gamma inter-arrivals of this burstiness at each of these mean rates. */
        public static Load poisson(final double burstiness, final double... ratePerSec) {
            return new Load(LoadMode.POISSON, boxed(ratePerSec), burstiness, 0, Phase.NONE, Phase.NONE, 1024);
        }

        /** @return this with a ramp-up. */
        public Load withRampUp(final Duration rampUp) {
            return new Load(mode, points, burstiness, rampUp.toMillis(), warmup, cooldown, maxInFlight);
        }

        /** @return this with a warm-up. */
        public Load withWarmup(final Phase phase) {
            return new Load(mode, points, burstiness, rampUpMs, phase, cooldown, maxInFlight);
        }

        /** @return this with a cool-down. */
        public Load withCooldown(final Phase phase) {
            return new Load(mode, points, burstiness, rampUpMs, warmup, phase, maxInFlight);
        }

        /** @return this with a bound on requests in flight. */
        public Load withMaxInFlight(final int max) {
            return new Load(mode, points, burstiness, rampUpMs, warmup, cooldown, max);
        }

        /** @return whether requests are sent on a schedule (constant or poisson). */
        public boolean open() {
            return mode != LoadMode.CLOSED;
        }

        private static List<Double> boxed(final double[] values) {
            final List<Double> p = new ArrayList<>();
            for (final double v : values) {
                p.add(v);
            }
            return p;
        }
    }

    /**
     * When a cell's measuring ends; the first condition met ends it. With none, a cell sends its work list once.
     *
     * @param durationMs         measuring time, 0 for no limit.
     * @param requests           measured requests sent, 0 for no limit (the work list is cycled to reach it).
     * @param errors             measured failures, 0 for no limit: reaching it ends the cell, marked stopped by errors.
     * @param minRateFraction    open loop: saturated when, after a second of measuring, the completed rate falls below
     *                           this fraction of the asked rate (e.g. 0.9); 0 for no check.
     * @param maxQueued          open loop: saturated when more than this many arrivals wait for a free slot
     *                           ({@link Load#maxInFlight()}); 0 for no check. A sweep stops at its first saturated
     *                           point.
     */
    public record Stop(long durationMs, long requests, long errors, double minRateFraction, long maxQueued) {
        /** No stop condition: each cell sends its work list once. */
        public static final Stop NONE = new Stop(0, 0, 0, 0, 0);

        /** @return a stop after this much measuring. */
        public static Stop after(final Duration duration) {
            return new Stop(duration.toMillis(), 0, 0, 0, 0);
        }

        /** @return a stop after this many measured requests. */
        public static Stop afterRequests(final long requests) {
            return new Stop(0, requests, 0, 0, 0);
        }
    }

    /**
     * Service-level objectives, each a threshold on a per-request value (null for none). A request meets them when it
     * succeeded and every threshold holds; goodput counts such requests. A load point meets them when at least
     * {@code attainment} of its measured requests do.
     *
     * @param ttftMs     TTFT at most this.
     * @param tpotMs     TPOT at most this.
     * @param e2eMs      end-to-end latency at most this.
     * @param attainment the fraction of requests that must meet them for a load point to (e.g. 0.9).
     */
    public record Slo(Double ttftMs, Double tpotMs, Double e2eMs, double attainment) {
        /** No SLO. */
        public static final Slo NONE = new Slo(null, null, null, 0.9);

        /** @return whether any threshold is set. */
        public boolean any() {
            return ttftMs != null || tpotMs != null || e2eMs != null;
        }
    }

    private final String name;
    private final List<String> tags;
    private final List<Target> targets;
    private final List<String> models;
    private final List<Prompt> prompts;
    private final String promptsFile;
    private final Synthetic synthetic;
    private final List<Configuration> configurations;
    private final int trials;
    private final Load load;
    private final Stop stop;
    private final long requestTimeoutMs;
    private final Slo slo;
    private final long seed;

    private BenchmarkSpec(final Builder b) {
        this.name = b.name;
        this.tags = List.copyOf(b.tags);
        this.targets = List.copyOf(b.targets);
        this.models = List.copyOf(b.models);
        this.prompts = List.copyOf(b.prompts);
        this.promptsFile = b.promptsFile;
        this.synthetic = b.synthetic;
        this.configurations = b.configurations.isEmpty() ? List.of(Configuration.named("default"))
            : List.copyOf(b.configurations);
        this.trials = b.trials;
        this.load = b.load;
        this.stop = b.stop;
        this.requestTimeoutMs = b.requestTimeoutMs;
        this.slo = b.slo;
        this.seed = b.seed;
    }

    /** @return a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** @return its name (the runs' names start with it). */
    public String name() {
        return name;
    }

    /** @return its tags (the runs' tags). */
    public List<String> tags() {
        return tags;
    }

    /** @return its endpoints. */
    public List<Target> targets() {
        return targets;
    }

    /** @return the models asked of each target. */
    public List<String> models() {
        return models;
    }

    /** @return the inline prompts, or empty. */
    public List<Prompt> prompts() {
        return prompts;
    }

    /** @return the prompts file (JSONL) read when the benchmark starts, or null. */
    public String promptsFile() {
        return promptsFile;
    }

    /** @return the synthetic prompts, or null. */
    public Synthetic synthetic() {
        return synthetic;
    }

    /** @return the parameter sets (one named "default" if none was given). */
    public List<Configuration> configurations() {
        return configurations;
    }

    /** @return how many times each cell sends each prompt. */
    public int trials() {
        return trials;
    }

    /** @return the load shape. */
    public Load load() {
        return load;
    }

    /** @return the stop conditions. */
    public Stop stop() {
        return stop;
    }

    /** @return each request's timeout, from its send (or scheduled time, open loop) to its last byte. */
    public long requestTimeoutMs() {
        return requestTimeoutMs;
    }

    /** @return the SLOs. */
    public Slo slo() {
        return slo;
    }

    /** @return the seed of the Poisson arrivals and synthetic prompts. */
    public long seed() {
        return seed;
    }

    /** @return cells in all: targets x models x configurations x load points. */
    public int cellCount() {
        return targets.size() * models.size() * configurations.size() * load.points().size();
    }

    /**
     * Reads a spec from its JSON form (see {@link #toJson()}; unknown fields are refused).
     *
     * @param json the spec.
     * @return the spec.
     * @throws BenchmarkSpecException naming the field at fault and the problem.
     */
    public static BenchmarkSpec fromJson(final String json) {
        final JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (final JsonProcessingException e) {
            throw new BenchmarkSpecException("$", "not JSON: " + e.getOriginalMessage());
        }
        return SpecJson.read(root);
    }

    /** @return its JSON form, which {@link #fromJson(String)} reads back to an equal spec. */
    public String toJson() {
        return SpecJson.write(this).toString();
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof BenchmarkSpec && toJson().equals(((BenchmarkSpec)o).toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return toJson();
    }

    /** Builds a spec; {@link #build()} checks every rule. Not thread-safe. */
    public static final class Builder {
        private String name = "llm-bench";
        private final List<String> tags = new ArrayList<>();
        private final List<Target> targets = new ArrayList<>();
        private final List<String> models = new ArrayList<>();
        private final List<Prompt> prompts = new ArrayList<>();
        private String promptsFile;
        private Synthetic synthetic;
        private final List<Configuration> configurations = new ArrayList<>();
        private int trials = 1;
        private Load load = Load.closed(1);
        private Stop stop = Stop.NONE;
        private long requestTimeoutMs = 60_000;
        private Slo slo = Slo.NONE;
        private long seed = 42;

        private Builder() {
        }

        /** @return this, named. */
        public Builder name(final String name) {
            this.name = name;
            return this;
        }

        /** @return this with one more tag. */
        public Builder tag(final String tag) {
            tags.add(tag);
            return this;
        }

        /** @return this with one more target. */
        public Builder target(final Target target) {
            targets.add(target);
            return this;
        }

        /** @return this with one more model. */
        public Builder model(final String model) {
            models.add(model);
            return this;
        }

        /** @return this with one more inline prompt. */
        public Builder prompt(final Prompt prompt) {
            prompts.add(prompt);
            return this;
        }

        /** @return this reading its prompts from a JSONL file when it starts. */
        public Builder promptsFile(final String path) {
            this.promptsFile = path;
            return this;
        }

        /** @return this with synthetic prompts. */
        public Builder synthetic(final Synthetic synthetic) {
            this.synthetic = synthetic;
            return this;
        }

        /** @return this with one more configuration. */
        public Builder configuration(final Configuration configuration) {
            configurations.add(configuration);
            return this;
        }

        /** @return this with each prompt sent this many times per cell. */
        public Builder trials(final int trials) {
            this.trials = trials;
            return this;
        }

        /** @return this with that load shape. */
        public Builder load(final Load load) {
            this.load = load;
            return this;
        }

        /** @return this with those stop conditions. */
        public Builder stop(final Stop stop) {
            this.stop = stop;
            return this;
        }

        /** @return this with that request timeout. */
        public Builder requestTimeout(final Duration timeout) {
            this.requestTimeoutMs = timeout.toMillis();
            return this;
        }

        /** @return this with those SLOs. */
        public Builder slo(final Slo slo) {
            this.slo = slo;
            return this;
        }

        /** @return this with that seed. */
        public Builder seed(final long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @return the spec.
         * @throws BenchmarkSpecException naming the first field that breaks a rule.
         */
        public BenchmarkSpec build() {
            text("name", name, 128);
            check(tags.size() <= MAX_TAGS, "tags", "at most " + MAX_TAGS + " tags");
            for (int i = 0; i < tags.size(); i++) {
                text("tags[" + i + "]", tags.get(i), 128);
            }
            check(!targets.isEmpty(), "targets", "at least one target is needed");
            for (int i = 0; i < targets.size(); i++) {
                final Target t = targets.get(i);
                final String f = "targets[" + i + "]";
                check(t != null, f, "must not be null");
                text(f + ".name", t.name(), 64);
                text(f + ".baseUrl", t.baseUrl(), 2048);
                final URI uri;
                try {
                    uri = URI.create(t.baseUrl());
                } catch (final IllegalArgumentException e) {
                    throw new BenchmarkSpecException(f + ".baseUrl", "not a URL: " + e.getMessage());
                }
                check("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()), f + ".baseUrl",
                    "must be an http or https URL but was '" + t.baseUrl() + "'");
                check(uri.getHost() != null, f + ".baseUrl", "has no host: '" + t.baseUrl() + "'");
                check(t.api() != null, f + ".api", "must be chat or completions");
                check(t.apiKeyEnv() == null || ENV_NAME.matcher(t.apiKeyEnv()).matches(), f + ".apiKeyEnv",
                    "must name an environment variable (letters, digits, _) but was '" + t.apiKeyEnv() + "'");
                for (int j = 0; j < i; j++) {
                    check(!targets.get(j).name().equals(t.name()), f + ".name", "'" + t.name() + "' is taken");
                }
            }
            check(!models.isEmpty(), "models", "at least one model is needed");
            for (int i = 0; i < models.size(); i++) {
                text("models[" + i + "]", models.get(i), 256);
            }
            final int sources = (prompts.isEmpty() ? 0 : 1) + (promptsFile == null ? 0 : 1) + (synthetic == null ? 0 : 1);
            check(sources == 1, "work", "give exactly one of prompts, promptsFile and synthetic");
            check(prompts.size() <= MAX_PROMPTS, "work.prompts", "at most " + MAX_PROMPTS + " prompts");
            for (int i = 0; i < prompts.size(); i++) {
                checkPrompt("work.prompts[" + i + "]", prompts.get(i));
            }
            if (promptsFile != null) {
                text("work.promptsFile", promptsFile, 4096);
            }
            if (synthetic != null) {
                check(synthetic.inputTokens() >= 1 && synthetic.inputTokens() <= 1_000_000,
                    "work.synthetic.inputTokens", "must be 1 to 1000000 but was " + synthetic.inputTokens());
                check(synthetic.outputTokens() >= 1 && synthetic.outputTokens() <= 1_000_000,
                    "work.synthetic.outputTokens", "must be 1 to 1000000 but was " + synthetic.outputTokens());
                check(synthetic.count() >= 1 && synthetic.count() <= MAX_PROMPTS, "work.synthetic.count",
                    "must be 1 to " + MAX_PROMPTS + " but was " + synthetic.count());
            }
            for (int i = 0; i < configurations.size(); i++) {
                final Configuration c = configurations.get(i);
                final String f = "configurations[" + i + "]";
                check(c != null, f, "must not be null");
                text(f + ".name", c.name(), 64);
                check(c.temperature() == null || c.temperature() >= 0 && c.temperature() <= 2, f + ".temperature",
                    "must be 0 to 2 but was " + c.temperature());
                check(c.maxTokens() == null || c.maxTokens() >= 1, f + ".maxTokens",
                    "must be at least 1 but was " + c.maxTokens());
                check(c.topP() == null || c.topP() > 0 && c.topP() <= 1, f + ".topP",
                    "must be above 0 and at most 1 but was " + c.topP());
                for (final Map.Entry<String, Object> e : c.extra().entrySet()) {
                    final Object v = e.getValue();
                    check(v instanceof String || v instanceof Number || v instanceof Boolean,
                        f + ".extra." + e.getKey(), "must be a string, number or boolean");
                }
                for (int j = 0; j < i; j++) {
                    check(!configurations.get(j).name().equals(c.name()), f + ".name", "'" + c.name() + "' is taken");
                }
            }
            check(trials >= 1 && trials <= 10_000, "trials", "must be 1 to 10000 but was " + trials);
            check(load != null && load.mode() != null, "load.mode", "must be closed, constant or poisson");
            check(!load.points().isEmpty(), load.open() ? "load.rate" : "load.concurrency", "at least one value");
            for (int i = 0; i < load.points().size(); i++) {
                final double p = load.points().get(i);
                if (load.open()) {
                    check(p > 0 && p <= 100_000, "load.rate[" + i + "]", "must be above 0 and at most 100000 but was "
                        + p);
                } else {
                    check(p >= 1 && p <= MAX_IN_FLIGHT && p == Math.rint(p), "load.concurrency[" + i + "]",
                        "must be a whole number 1 to " + MAX_IN_FLIGHT + " but was " + p);
                }
            }
            check(load.burstiness() > 0 && load.burstiness() <= 100, "load.burstiness",
                "must be above 0 and at most 100 but was " + load.burstiness());
            check(load.rampUpMs() >= 0, "load.rampUpMs", "must not be negative");
            phase("load.warmup", load.warmup());
            phase("load.cooldown", load.cooldown());
            check(load.maxInFlight() >= 1 && load.maxInFlight() <= MAX_IN_FLIGHT, "load.maxInFlight",
                "must be 1 to " + MAX_IN_FLIGHT + " but was " + load.maxInFlight());
            check(stop != null, "stop", "must not be null");
            check(stop.durationMs() >= 0, "stop.durationMs", "must not be negative");
            check(stop.requests() >= 0, "stop.requests", "must not be negative");
            check(stop.errors() >= 0, "stop.errors", "must not be negative");
            check(stop.minRateFraction() >= 0 && stop.minRateFraction() <= 1, "stop.minRateFraction",
                "must be 0 to 1 but was " + stop.minRateFraction());
            check(stop.maxQueued() >= 0, "stop.maxQueued", "must not be negative");
            check(requestTimeoutMs >= 1 && requestTimeoutMs <= 3_600_000, "requestTimeoutMs",
                "must be 1 to 3600000 but was " + requestTimeoutMs);
            check(slo != null, "slo", "must not be null");
            positive("slo.ttftMs", slo.ttftMs());
            positive("slo.tpotMs", slo.tpotMs());
            positive("slo.e2eMs", slo.e2eMs());
            check(slo.attainment() > 0 && slo.attainment() <= 1, "slo.attainment",
                "must be above 0 and at most 1 but was " + slo.attainment());
            final long cells = (long)targets.size() * models.size() * Math.max(1, configurations.size())
                * load.points().size();
            check(cells <= MAX_CELLS, "targets", "the matrix has " + cells + " cells (targets x models x "
                + "configurations x load points), more than " + MAX_CELLS);
            return new BenchmarkSpec(this);
        }

        private static void checkPrompt(final String f, final Prompt p) {
            check(p != null, f, "must not be null");
            check(p.prompt() != null ^ !p.messages().isEmpty(), f, "give exactly one of prompt and messages");
            for (int i = 0; i < p.messages().size(); i++) {
                final Message m = p.messages().get(i);
                check(m != null && m.role() != null && !m.role().isEmpty(), f + ".messages[" + i + "].role",
                    "is missing");
                check(m.content() != null, f + ".messages[" + i + "].content", "is missing");
            }
            if (p.match() == Match.REGEX && p.expected() != null) {
                try {
                    Pattern.compile(p.expected());
                } catch (final PatternSyntaxException e) {
                    throw new BenchmarkSpecException(f + ".expected", "not a regular expression: "
                        + e.getDescription());
                }
            }
        }

        private static void phase(final String f, final Phase p) {
            check(p != null, f, "must not be null");
            check(p.durationMs() >= 0, f + ".durationMs", "must not be negative");
            check(p.requests() >= 0, f + ".requests", "must not be negative");
        }

        private static void positive(final String f, final Double v) {
            check(v == null || v > 0 && !v.isInfinite(), f, "must be above 0 but was " + v);
        }

        private static void text(final String f, final String v, final int max) {
            check(v != null && !v.isBlank(), f, "must not be empty");
            check(v.length() <= max, f, "at most " + max + " characters but has " + v.length());
        }

        private static void check(final boolean ok, final String field, final String problem) {
            if (!ok) {
                throw new BenchmarkSpecException(field, problem);
            }
        }
    }

    /** The JSON form: one place for its field names. */
    static final class SpecJson {
        private SpecJson() {
        }

        static ObjectNode write(final BenchmarkSpec s) {
            final ObjectNode root = JSON.createObjectNode();
            root.put("name", s.name);
            final ArrayNode tags = root.putArray("tags");
            s.tags.forEach(tags::add);
            final ArrayNode targets = root.putArray("targets");
            for (final Target t : s.targets) {
                final ObjectNode o = targets.addObject().put("name", t.name()).put("baseUrl", t.baseUrl())
                    .put("api", t.api().wireName()).put("stream", t.stream());
                if (t.apiKeyEnv() != null) {
                    o.put("apiKeyEnv", t.apiKeyEnv());
                }
            }
            final ArrayNode models = root.putArray("models");
            s.models.forEach(models::add);
            final ObjectNode work = root.putObject("work");
            if (!s.prompts.isEmpty()) {
                final ArrayNode prompts = work.putArray("prompts");
                s.prompts.forEach(p -> prompts.add(writePrompt(p)));
            }
            if (s.promptsFile != null) {
                work.put("promptsFile", s.promptsFile);
            }
            if (s.synthetic != null) {
                work.putObject("synthetic").put("inputTokens", s.synthetic.inputTokens())
                    .put("outputTokens", s.synthetic.outputTokens()).put("count", s.synthetic.count())
                    .put("fixOutputLength", s.synthetic.fixOutputLength());
            }
            final ArrayNode configs = root.putArray("configurations");
            for (final Configuration c : s.configurations) {
                final ObjectNode o = configs.addObject().put("name", c.name());
                if (c.temperature() != null) {
                    o.put("temperature", c.temperature());
                }
                if (c.maxTokens() != null) {
                    o.put("maxTokens", c.maxTokens());
                }
                if (c.topP() != null) {
                    o.put("topP", c.topP());
                }
                if (!c.extra().isEmpty()) {
                    o.set("extra", JSON.valueToTree(c.extra()));
                }
            }
            root.put("trials", s.trials);
            final Load l = s.load;
            final ObjectNode load = root.putObject("load").put("mode", l.mode().wireName());
            final ArrayNode points = load.putArray(l.open() ? "rate" : "concurrency");
            for (final double p : l.points()) {
                if (l.open()) {
                    points.add(p);
                } else {
                    points.add((long)p);
                }
            }
            load.put("burstiness", l.burstiness()).put("rampUpMs", l.rampUpMs());
            load.putObject("warmup").put("durationMs", l.warmup().durationMs()).put("requests", l.warmup().requests());
            load.putObject("cooldown").put("durationMs", l.cooldown().durationMs())
                .put("requests", l.cooldown().requests());
            load.put("maxInFlight", l.maxInFlight());
            root.putObject("stop").put("durationMs", s.stop.durationMs()).put("requests", s.stop.requests())
                .put("errors", s.stop.errors()).put("minRateFraction", s.stop.minRateFraction())
                .put("maxQueued", s.stop.maxQueued());
            root.put("requestTimeoutMs", s.requestTimeoutMs);
            final ObjectNode slo = root.putObject("slo");
            if (s.slo.ttftMs() != null) {
                slo.put("ttftMs", s.slo.ttftMs());
            }
            if (s.slo.tpotMs() != null) {
                slo.put("tpotMs", s.slo.tpotMs());
            }
            if (s.slo.e2eMs() != null) {
                slo.put("e2eMs", s.slo.e2eMs());
            }
            slo.put("attainment", s.slo.attainment());
            root.put("seed", s.seed);
            return root;
        }

        static ObjectNode writePrompt(final Prompt p) {
            final ObjectNode o = JSON.createObjectNode();
            if (p.prompt() != null) {
                o.put("prompt", p.prompt());
            }
            if (!p.messages().isEmpty()) {
                final ArrayNode m = o.putArray("messages");
                p.messages().forEach(x -> m.addObject().put("role", x.role()).put("content", x.content()));
            }
            if (p.expected() != null) {
                o.put("expected", p.expected());
            }
            if (p.match() != null) {
                o.put("match", p.match().wireName());
            }
            return o;
        }

        static BenchmarkSpec read(final JsonNode root) {
            final Reader r = new Reader(root, "$");
            r.only("name", "tags", "targets", "models", "work", "configurations", "trials", "load", "stop",
                "requestTimeoutMs", "slo", "seed");
            final Builder b = builder();
            if (root.has("name")) {
                b.name(r.text("name"));
            }
            for (final Reader t : r.array("tags")) {
                b.tag(t.self());
            }
            for (final Reader t : r.array("targets")) {
                t.only("name", "baseUrl", "api", "stream", "apiKeyEnv");
                b.target(new Target(t.has("name") ? t.text("name") : "default", t.text("baseUrl"),
                    t.has("api") ? t.choice("api", Api.values(), Api::wireName) : Api.CHAT,
                    !t.has("stream") || t.bool("stream"), t.has("apiKeyEnv") ? t.text("apiKeyEnv") : null));
            }
            for (final Reader m : r.array("models")) {
                b.model(m.self());
            }
            final Reader work = r.object("work");
            work.only("prompts", "promptsFile", "synthetic");
            for (final Reader p : work.array("prompts")) {
                b.prompt(readPrompt(p));
            }
            if (work.has("promptsFile")) {
                b.promptsFile(work.text("promptsFile"));
            }
            if (work.has("synthetic")) {
                final Reader s = work.object("synthetic");
                s.only("inputTokens", "outputTokens", "count", "fixOutputLength");
                b.synthetic(new Synthetic(s.integer("inputTokens"), s.integer("outputTokens"),
                    s.has("count") ? s.integer("count") : 100, !s.has("fixOutputLength") || s.bool("fixOutputLength")));
            }
            for (final Reader c : r.array("configurations")) {
                c.only("name", "temperature", "maxTokens", "topP", "extra");
                final Map<String, Object> extra = new LinkedHashMap<>();
                if (c.has("extra")) {
                    final Reader e = c.object("extra");
                    for (final Map.Entry<String, JsonNode> f : e.node.properties()) {
                        final JsonNode v = f.getValue();
                        if (v.isTextual()) {
                            extra.put(f.getKey(), v.asText());
                        } else if (v.isBoolean()) {
                            extra.put(f.getKey(), v.asBoolean());
                        } else if (v.isIntegralNumber()) {
                            extra.put(f.getKey(), v.asLong());
                        } else if (v.isNumber()) {
                            extra.put(f.getKey(), v.asDouble());
                        } else {
                            throw new BenchmarkSpecException(e.path + "." + f.getKey(),
                                "must be a string, number or boolean");
                        }
                    }
                }
                b.configuration(new Configuration(c.has("name") ? c.text("name") : "default",
                    c.has("temperature") ? c.number("temperature") : null,
                    c.has("maxTokens") ? c.integer("maxTokens") : null, c.has("topP") ? c.number("topP") : null,
                    extra));
            }
            if (root.has("trials")) {
                b.trials(r.integer("trials"));
            }
            if (root.has("load")) {
                final Reader l = r.object("load");
                l.only("mode", "concurrency", "rate", "burstiness", "rampUpMs", "warmup", "cooldown", "maxInFlight");
                final LoadMode mode = l.has("mode") ? l.choice("mode", LoadMode.values(), LoadMode::wireName)
                    : LoadMode.CLOSED;
                final String pointsField = mode == LoadMode.CLOSED ? "concurrency" : "rate";
                final String other = mode == LoadMode.CLOSED ? "rate" : "concurrency";
                if (l.has(other)) {
                    throw new BenchmarkSpecException(l.path + "." + other, "not used by load mode " + mode.wireName()
                        + ": give " + pointsField);
                }
                final List<Double> points = new ArrayList<>();
                if (l.has(pointsField) && l.node.get(pointsField).isNumber()) {
                    points.add(l.number(pointsField));
                } else {
                    for (final Reader p : l.array(pointsField)) {
                        points.add(p.selfNumber());
                    }
                }
                if (points.isEmpty() && mode == LoadMode.CLOSED) {
                    points.add(1.0);
                }
                b.load(new Load(mode, points, l.has("burstiness") ? l.number("burstiness") : 1.0,
                    l.has("rampUpMs") ? l.longValue("rampUpMs") : 0, readPhase(l, "warmup"), readPhase(l, "cooldown"),
                    l.has("maxInFlight") ? l.integer("maxInFlight") : 1024));
            }
            if (root.has("stop")) {
                final Reader s = r.object("stop");
                s.only("durationMs", "requests", "errors", "minRateFraction", "maxQueued");
                b.stop(new Stop(s.longOr("durationMs"), s.longOr("requests"), s.longOr("errors"),
                    s.has("minRateFraction") ? s.number("minRateFraction") : 0, s.longOr("maxQueued")));
            }
            if (root.has("requestTimeoutMs")) {
                b.requestTimeout(Duration.ofMillis(r.longValue("requestTimeoutMs")));
            }
            if (root.has("slo")) {
                final Reader s = r.object("slo");
                s.only("ttftMs", "tpotMs", "e2eMs", "attainment");
                b.slo(new Slo(s.has("ttftMs") ? s.number("ttftMs") : null, s.has("tpotMs") ? s.number("tpotMs") : null,
                    s.has("e2eMs") ? s.number("e2eMs") : null, s.has("attainment") ? s.number("attainment") : 0.9));
            }
            if (root.has("seed")) {
                b.seed(r.longValue("seed"));
            }
            return b.build();
        }

        static Prompt readPrompt(final Reader p) {
            p.only("prompt", "messages", "expected", "match");
            final List<Message> messages = new ArrayList<>();
            for (final Reader m : p.array("messages")) {
                m.only("role", "content");
                messages.add(new Message(m.text("role"), m.anyText("content")));
            }
            return new Prompt(p.has("prompt") ? p.anyText("prompt") : null, messages,
                p.has("expected") ? p.anyText("expected") : null,
                p.has("match") ? p.choice("match", Match.values(), Match::wireName) : null);
        }

        private static Phase readPhase(final Reader l, final String field) {
            if (!l.has(field)) {
                return Phase.NONE;
            }
            final Reader p = l.object(field);
            p.only("durationMs", "requests");
            return new Phase(p.longOr("durationMs"), p.longOr("requests"));
        }
    }

    /** A JSON node with its path, for errors that name the field. */
    static final class Reader {
        final JsonNode node;
        final String path;

        Reader(final JsonNode node, final String path) {
            this.node = node;
            this.path = path;
            if (node == null || node.isNull()) {
                throw new BenchmarkSpecException(path, "is missing");
            }
        }

        private String at(final String field) {
            return "$".equals(path) ? field : path + "." + field;
        }

        boolean has(final String field) {
            return node.has(field) && !node.get(field).isNull();
        }

        void only(final String... fields) {
            if (!node.isObject()) {
                throw new BenchmarkSpecException(path, "must be an object");
            }
            final Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                final String n = names.next();
                boolean known = false;
                for (final String f : fields) {
                    known |= f.equals(n);
                }
                if (!known) {
                    throw new BenchmarkSpecException(at(n), "unknown field; known: " + String.join(", ", fields));
                }
            }
        }

        Reader object(final String field) {
            final Reader r = new Reader(node.get(field), at(field));
            if (!r.node.isObject()) {
                throw new BenchmarkSpecException(r.path, "must be an object");
            }
            return r;
        }

        List<Reader> array(final String field) {
            if (!has(field)) {
                return List.of();
            }
            final JsonNode a = node.get(field);
            if (!a.isArray()) {
                throw new BenchmarkSpecException(at(field), "must be an array");
            }
            final List<Reader> out = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                out.add(new Reader(a.get(i), at(field) + "[" + i + "]"));
            }
            return out;
        }

        String text(final String field) {
            final JsonNode v = node.get(field);
            if (v == null || !v.isTextual()) {
                throw new BenchmarkSpecException(at(field), v == null ? "is missing" : "must be a string");
            }
            return v.asText();
        }

        String anyText(final String field) {
            return text(field);
        }

        String self() {
            if (!node.isTextual()) {
                throw new BenchmarkSpecException(path, "must be a string");
            }
            return node.asText();
        }

        double selfNumber() {
            if (!node.isNumber()) {
                throw new BenchmarkSpecException(path, "must be a number");
            }
            return node.asDouble();
        }

        boolean bool(final String field) {
            final JsonNode v = node.get(field);
            if (!v.isBoolean()) {
                throw new BenchmarkSpecException(at(field), "must be true or false");
            }
            return v.asBoolean();
        }

        double number(final String field) {
            final JsonNode v = node.get(field);
            if (v == null || !v.isNumber()) {
                throw new BenchmarkSpecException(at(field), v == null ? "is missing" : "must be a number");
            }
            return v.asDouble();
        }

        long longValue(final String field) {
            final JsonNode v = node.get(field);
            if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new BenchmarkSpecException(at(field), v == null ? "is missing" : "must be a whole number");
            }
            return v.asLong();
        }

        long longOr(final String field) {
            return has(field) ? longValue(field) : 0;
        }

        int integer(final String field) {
            final long v = longValue(field);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new BenchmarkSpecException(at(field), "out of range: " + v);
            }
            return (int)v;
        }

        <E> E choice(final String field, final E[] values, final java.util.function.Function<E, String> name) {
            final String t = text(field).toLowerCase(Locale.ROOT);
            final List<String> names = new ArrayList<>();
            for (final E e : values) {
                if (name.apply(e).equals(t)) {
                    return e;
                }
                names.add(name.apply(e));
            }
            throw new BenchmarkSpecException(at(field), "must be one of " + String.join(", ", names) + " but was '"
                + node.get(field).asText() + "'");
        }
    }
}
