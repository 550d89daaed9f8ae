package dev.ringmeter.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.ringmeter.Event;
import dev.ringmeter.EventRecorder;
import dev.ringmeter.Status;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records LangChain4j calls into a Ringmeter {@link EventRecorder} (the embedded store or the remote client): the
 * entry point of this module and the one place of what every recorded call shares (the per-thread event, the
 * provider's name, the call's attributes, the error's type, and what happens when recording fails).
 * <pre>{@code
 * RingmeterLangChain4j ringmeter = RingmeterLangChain4j.recordingTo(recorder);
 * ChatModel chat = OpenAiChatModel.builder()...listeners(List.of(ringmeter.chatListener())).build();
 * StreamingChatModel streaming = ringmeter.streaming(
 *     OpenAiStreamingChatModel.builder()...listeners(List.of(ringmeter.chatListener())).build());
 * EmbeddingModel embeddings = ringmeter.embeddings(OpenAiEmbeddingModel.builder()...build());
 * ToolExecutor tool = RingmeterToolExecutor.wrap(ringmeter, "weather", executor);   // needs langchain4j
 * }</pre>
 * This class names only {@code langchain4j-core} types, so a service with none of the optional modules
 * ({@code langchain4j} for tools, the provider modules) loads it; the tool wrapper is apart for that reason.
 * <p>
 * Recording never fails a call: an event the recorder refuses (a bad field, a cardinality limit, a closed recorder)
 * is counted in {@link #failedEvents()}; one it drops because it is full is counted by the recorder.
 * <p>
 * Threading: every method may be called from any number of threads at once. Each thread fills an {@link Event} of its
 * own, reused from call to call (the recorder copies it), so recording allocates nothing of its own beyond what
 * LangChain4j hands it.
 */
public final class RingmeterLangChain4j {
    private static final String[] PROVIDERS = providerNames();

    private final EventRecorder recorder;
    private final ThreadLocal<Event> events = ThreadLocal.withInitial(Event::new);
    private final AtomicLong failed = new AtomicLong();
    private final RingmeterChatModelListener listener;

    private RingmeterLangChain4j(final EventRecorder recorder) {
        if (recorder == null) {
            throw new IllegalArgumentException("recorder must be given");
        }
        this.recorder = recorder;
        this.listener = new RingmeterChatModelListener(this);
    }

    /**
     * @param recorder where calls are recorded.
     * @return the integration.
     */
    public static RingmeterLangChain4j recordingTo(final EventRecorder recorder) {
        return new RingmeterLangChain4j(recorder);
    }

    /** @return the listener to register on chat models, streaming or not; one instance serves them all. */
    public RingmeterChatModelListener chatListener() {
        return listener;
    }

    /**
     * @param model a streaming chat model with {@link #chatListener()} registered.
     * @return the model, measuring the time to the first chunk for the listener's event.
     */
    public StreamingChatModel streaming(final StreamingChatModel model) {
        return new RingmeterStreamingChatModel(model);
    }

    /**
     * @param model an embedding model.
     * @return the model, recording each call as an {@code embeddings} event.
     */
    public EmbeddingModel embeddings(final EmbeddingModel model) {
        return new RingmeterEmbeddingModel(model, this);
    }

    /** @return events the recorder refused (bad field, cardinality limit, closed); each call went on regardless. */
    public long failedEvents() {
        return failed.get();
    }

    /** Fills an event from a source. A static method reference captures nothing, so passing one allocates nothing. */
    @FunctionalInterface
    interface Fill<T> {
        void fill(Event event, T source);
    }

    /**
     * Fills this thread's event and records it; a refusal, while filling (a bad field) or recording, is counted,
     * never thrown.
     *
     * @param fill   fills the cleared event.
     * @param source what it is filled from.
     */
    <T> void record(final Fill<T> fill, final T source) {
        try {
            final Event event = events.get().reset();
            fill.fill(event, source);
            recorder.record(event);
        } catch (final RuntimeException e) {
            failed.incrementAndGet();
        }
    }

    /**
     * @param provider LangChain4j's provider, or null.
     * @return its name as the OpenTelemetry GenAI conventions' {@code gen_ai.provider.name} spells it.
     */
    static String provider(final ModelProvider provider) {
        return PROVIDERS[(provider == null ? ModelProvider.OTHER : provider).ordinal()];
    }

    /** Fills the event's run, pipeline, step, task, config, agent and tags from a call's listener attributes. */
    static void attributes(final Map<Object, Object> attributes, final Event event) {
        if (attributes == null || attributes.size() <= 1) {   // only the timing
            return;
        }
        for (final Map.Entry<Object, Object> e : attributes.entrySet()) {
            if (!(e.getKey() instanceof String) || e.getValue() == null) {
                continue;
            }
            final String key = (String)e.getKey();
            if (!key.startsWith("ringmeter.")) {
                continue;
            }
            final String value = e.getValue().toString();
            switch (key) {
                case CallAttributes.RUN: event.run(value); break;
                case CallAttributes.PIPELINE: event.pipeline(value); break;
                case CallAttributes.STEP: event.step(value); break;
                case CallAttributes.TASK: event.task(value); break;
                case CallAttributes.CONFIG: event.config(value); break;
                case CallAttributes.AGENT: event.agent(value); break;
                default:
                    if (key.startsWith(CallAttributes.TAG_PREFIX)) {
                        event.tag(key.substring(CallAttributes.TAG_PREFIX.length()), value);
                    }
            }
        }
    }

    /**
     * Marks a failed call: status {@code timeout} for a timeout, {@code error} otherwise, and the error's type.
     *
     * @param error what the call threw, unwrapped from the wrappers that add nothing.
     * @param event to mark.
     */
    static void failure(final Throwable error, final Event event) {
        Throwable cause = error;
        while (cause.getCause() != null && (cause instanceof CompletionException || cause instanceof ExecutionException
            || cause.getClass() == RuntimeException.class)) {
            cause = cause.getCause();
        }
        final String type = cause.getClass().getSimpleName().isEmpty() ? cause.getClass().getName()
            : cause.getClass().getSimpleName();
        event.errorType(type);
        event.status(type.contains("Timeout") ? Status.TIMEOUT : Status.ERROR);
    }

    private static String[] providerNames() {
        final ModelProvider[] all = ModelProvider.values();
        final String[] names = new String[all.length];
        for (final ModelProvider p : all) {
            final String name;
            switch (p.name()) {
                case "OPEN_AI": name = "openai"; break;
                case "ANTHROPIC": name = "anthropic"; break;
                case "AZURE_OPEN_AI": name = "azure.ai.openai"; break;
                case "MICROSOFT_FOUNDRY": name = "azure.ai.inference"; break;
                case "AMAZON_BEDROCK": name = "aws.bedrock"; break;
                case "GOOGLE_AI_GEMINI": name = "gcp.gemini"; break;
                case "GOOGLE_GENAI": name = "gcp.gen_ai"; break;
                case "GOOGLE_VERTEX_AI_GEMINI":
                case "GOOGLE_VERTEX_AI_ANTHROPIC": name = "gcp.vertex_ai"; break;
                case "MISTRAL_AI": name = "mistral_ai"; break;
                case "WATSONX": name = "ibm.watsonx.ai"; break;
                default: name = p.name().toLowerCase(Locale.ROOT);
            }
            names[p.ordinal()] = name;
        }
        return names;
    }
}
