package dev.ringmeter.server.llmbench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A benchmark's prompts, read once when it starts (inline, from a JSONL file, or synthetic), and the request bodies
 * built from them. Synthetic prompts are words of a fixed vocabulary of short English words, 3 words per 4 tokens
 * (OpenAI's rule of thumb of 0.75 words a token), so their real length in a model's tokens differs: results report
 * the server's prompt_tokens from usage beside the target. Their output length is fixed with {@code max_tokens} and,
 * unless turned off, {@code ignore_eos} and {@code min_tokens} (vLLM, SGLang and mock-llm honour them; a configuration
 * that sets any of these wins).
 * <p>
 * Threading: immutable once built; {@link #body} may be called from any thread. Memory: the prompts (at most
 * {@link BenchmarkSpec#MAX_PROMPTS}).
 */
final class WorkList {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] VOCABULARY = {"the", "time", "river", "stone", "light", "house", "green", "cold",
        "music", "paper", "window", "bread", "north", "quiet", "garden", "table", "story", "cloud", "market", "road",
        "winter", "letter", "field", "glass", "horse", "morning", "silver", "bridge", "city", "voice", "forest", "sea"};

    private final List<BenchmarkSpec.Prompt> prompts;
    private final BenchmarkSpec.Synthetic synthetic;

    private WorkList(final List<BenchmarkSpec.Prompt> prompts, final BenchmarkSpec.Synthetic synthetic) {
        this.prompts = List.copyOf(prompts);
        this.synthetic = synthetic;
    }

    /**
     * @param spec the benchmark.
     * @return its prompts.
     * @throws BenchmarkSpecException the prompts file cannot be read or has a bad line (named {@code work.promptsFile
     *                                line N}).
     */
    static WorkList of(final BenchmarkSpec spec) {
        if (!spec.prompts().isEmpty()) {
            return new WorkList(spec.prompts(), null);
        }
        if (spec.synthetic() != null) {
            final BenchmarkSpec.Synthetic s = spec.synthetic();
            final SplittableRandom random = new SplittableRandom(spec.seed());
            final int words = Math.max(1, (int)Math.round(s.inputTokens() * 0.75));
            final List<BenchmarkSpec.Prompt> list = new ArrayList<>(s.count());
            for (int i = 0; i < s.count(); i++) {
                final StringBuilder b = new StringBuilder(words * 7);
                for (int w = 0; w < words; w++) {
                    if (w > 0) {
                        b.append(' ');
                    }
                    b.append(VOCABULARY[random.nextInt(VOCABULARY.length)]);
                }
                list.add(BenchmarkSpec.Prompt.of(b.toString()));
            }
            return new WorkList(list, s);
        }
        return new WorkList(readFile(spec.promptsFile()), null);
    }

    private static List<BenchmarkSpec.Prompt> readFile(final String file) {
        final List<BenchmarkSpec.Prompt> list = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                if (list.size() == BenchmarkSpec.MAX_PROMPTS) {
                    throw new BenchmarkSpecException("work.promptsFile", "more than " + BenchmarkSpec.MAX_PROMPTS
                        + " prompts");
                }
                final String field = "work.promptsFile line " + n;
                final JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (final JsonProcessingException e) {
                    throw new BenchmarkSpecException(field, "not JSON: " + e.getOriginalMessage());
                }
                final BenchmarkSpec.Prompt p = BenchmarkSpec.SpecJson.readPrompt(new BenchmarkSpec.Reader(node, field));
                final BenchmarkSpec.Builder probe = BenchmarkSpec.builder().target(BenchmarkSpec.Target.chat(
                    "http://localhost")).model("m").prompt(p);
                try {
                    probe.build();
                } catch (final BenchmarkSpecException e) {
                    throw new BenchmarkSpecException(field, e.getMessage().substring(e.field().length() + 2));
                }
                list.add(p);
            }
        } catch (final IOException e) {
            throw new BenchmarkSpecException("work.promptsFile", "cannot read " + file + ": " + e.getMessage());
        }
        if (list.isEmpty()) {
            throw new BenchmarkSpecException("work.promptsFile", file + " holds no prompt");
        }
        return list;
    }

    /** @return how many prompts. */
    int size() {
        return prompts.size();
    }

    /** @return the prompt at an index. */
    BenchmarkSpec.Prompt prompt(final int index) {
        return prompts.get(index);
    }

    /**
     * @param target its API and streaming.
     * @param model  the model.
     * @param config the parameter set.
     * @param prompt the prompt.
     * @return the request's JSON body.
     */
    byte[] body(final BenchmarkSpec.Target target, final String model, final BenchmarkSpec.Configuration config,
                final BenchmarkSpec.Prompt prompt) {
        final ObjectNode o = JSON.createObjectNode();
        o.put("model", model);
        if (target.api() == BenchmarkSpec.Api.CHAT) {
            final ArrayNode m = o.putArray("messages");
            if (prompt.messages().isEmpty()) {
                m.addObject().put("role", "user").put("content", prompt.prompt());
            } else {
                prompt.messages().forEach(x -> m.addObject().put("role", x.role()).put("content", x.content()));
            }
        } else {
            o.put("prompt", prompt.prompt() != null ? prompt.prompt() : joined(prompt));
        }
        if (synthetic != null) {
            o.put("max_tokens", synthetic.outputTokens());
            if (synthetic.fixOutputLength()) {
                o.put("ignore_eos", true);
                o.put("min_tokens", synthetic.outputTokens());
            }
        }
        if (config.temperature() != null) {
            o.put("temperature", config.temperature());
        }
        if (config.maxTokens() != null) {
            o.put("max_tokens", config.maxTokens());
            if (synthetic != null && o.has("min_tokens") && o.get("min_tokens").asInt() > config.maxTokens()) {
                o.put("min_tokens", config.maxTokens());
            }
        }
        if (config.topP() != null) {
            o.put("top_p", config.topP());
        }
        for (final Map.Entry<String, Object> e : config.extra().entrySet()) {
            o.set(e.getKey(), JSON.valueToTree(e.getValue()));
        }
        if (target.stream()) {
            o.put("stream", true);
            o.putObject("stream_options").put("include_usage", true);
        }
        try {
            return JSON.writeValueAsBytes(o);
        } catch (final JsonProcessingException e) {
            throw new IllegalStateException("a request body could not be written", e);
        }
    }

    private static String joined(final BenchmarkSpec.Prompt p) {
        final StringBuilder b = new StringBuilder();
        p.messages().forEach(m -> b.append(m.content()).append('\n'));
        return b.toString();
    }
}
