package dev.ringmeter.spring.ai;

import dev.ringmeter.Event;
import dev.ringmeter.EventRecorder;
import dev.ringmeter.Failures;
import dev.ringmeter.InvalidEventException;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.observation.ChatModelObservationContext;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.EmbeddingResponseMetadata;
import org.springframework.ai.embedding.observation.EmbeddingModelObservationContext;
import org.springframework.ai.observation.AiOperationMetadata;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.ai.tool.observation.ToolCallingObservationContext;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Records every Spring AI chat call, embedding call and tool call that Spring AI observes through Micrometer into an
 * {@link EventRecorder}, one event per observation:
 * <ul>
 * <li>chat ({@link ChatModelObservationContext}): operation {@code chat}, model the response's model (else the
 * request options' model), provider the observation's ({@code gen_ai.system}: {@code openai}, {@code anthropic},
 * ...), prompt and completion tokens from Spring AI's {@link Usage}, cached and reasoning tokens where the native
 * usage carries them ({@link NativeUsage}: OpenAI's), the first generation's finish reason as the tag
 * {@value #FINISH_REASON_TAG};</li>
 * <li>embedding ({@link EmbeddingModelObservationContext}): operation {@code embeddings} (the GenAI semantic
 * conventions' name of Spring AI's {@code embedding}), model, provider and prompt tokens likewise;</li>
 * <li>tool call ({@link ToolCallingObservationContext}): operation {@code execute_tool}, the tool its definition's
 * name, no model.</li>
 * </ul>
 * The latency is {@link System#nanoTime()} from the observation's start to its stop (monotonic), the timestamp the
 * wall-clock time of the start; an observation that ended in an error has the status and error type of
 * {@link Failures}. Other observations are not this handler's ({@link #supportsContext}).
 * <p>
 * Recording never fails the call it observes: an event the recorder refuses (say a dimension's cardinality limit
 * reached, or no model named) or drops (a full recorder whose policy is to drop) is counted ({@link #refused()},
 * {@link #dropped()}) and the call goes on.
 * <p>
 * Threading: one instance is shared by every thread; {@link #onStart} and {@link #onStop} of one observation may run
 * on different threads (a streamed call), as Micrometer guarantees they happen one after the other. Each thread
 * fills its own reused {@link Event}; the counters are {@link LongAdder}s. Memory: one {@link Event} per thread that
 * has stopped an observation. Allocation: the boxed start time that {@link #onStart} puts into the observation's
 * context (one {@link Long} and the context map's entry, per call); nothing else in steady state.
 */
public final class RingmeterObservationHandler implements ObservationHandler<Observation.Context> {
    /** The tag that carries a chat call's finish reason ({@code STOP}, {@code LENGTH}, {@code TOOL_CALLS}, ...). */
    public static final String FINISH_REASON_TAG = "finish_reason";
    /** The operation of a chat call (Spring AI's and the GenAI conventions' name). */
    static final String CHAT = "chat";
    /** The operation of an embedding call (the GenAI conventions' name). */
    static final String EMBEDDINGS = "embeddings";
    /** The operation of a tool call (the GenAI conventions' name). */
    static final String EXECUTE_TOOL = "execute_tool";

    /** The key of the start time, in {@link System#nanoTime()} nanoseconds, in an observation's context. */
    private static final Class<StartNs> START_NS = StartNs.class;

    private final EventRecorder recorder;
    private final NativeUsage nativeUsage;
    private final ThreadLocal<Event> events = ThreadLocal.withInitial(Event::new);
    private final LongAdder recorded = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder refused = new LongAdder();

    /**
     * @param recorder where the calls are recorded; the caller keeps ownership (and closes it).
     */
    public RingmeterObservationHandler(final EventRecorder recorder) {
        if (recorder == null) {
            throw new IllegalArgumentException("recorder must not be null");
        }
        this.recorder = recorder;
        this.nativeUsage = NativeUsage.forClasspath();
    }

    @Override
    public boolean supportsContext(final Observation.Context context) {
        return context instanceof ChatModelObservationContext || context instanceof EmbeddingModelObservationContext
            || context instanceof ToolCallingObservationContext;
    }

    @Override
    public void onStart(final Observation.Context context) {
        context.put(START_NS, System.nanoTime());
    }

    @Override
    public void onStop(final Observation.Context context) {
        final Long startNs = context.get(START_NS);
        if (startNs == null) {
            return; // started before this handler was registered: no start time to measure from
        }
        final long latencyNs = Math.max(0, System.nanoTime() - startNs);
        final Event event = events.get().reset();
        try {
            event.timestampMs(System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(latencyNs))
                .latencyNs(latencyNs);
            if (context instanceof ChatModelObservationContext chat) {
                fillChat(event, chat);
            } else if (context instanceof EmbeddingModelObservationContext embedding) {
                fillEmbedding(event, embedding);
            } else if (context instanceof ToolCallingObservationContext tool) {
                fillTool(event, tool);
            }
            if (context.getError() != null) {
                Failures.fail(event, context.getError());
            }
            if (recorder.record(event)) {
                recorded.increment();
            } else {
                dropped.increment();
            }
        } catch (final InvalidEventException | IllegalStateException e) {
            refused.increment(); // a bad value or a closed recorder must not fail the observed call
        }
    }

    private void fillChat(final Event event, final ChatModelObservationContext context) {
        event.operation(CHAT);
        provider(event, context.getOperationMetadata());
        final ChatOptions options = context.getRequest().getOptions();
        final String requestModel = options == null ? null : options.getModel();
        final ChatResponse response = context.getResponse();
        final ChatResponseMetadata metadata = response == null ? null : response.getMetadata();
        final String responseModel = metadata == null ? null : metadata.getModel();
        event.model(hasText(responseModel) ? responseModel : requestModel);
        if (metadata != null) {
            usage(event, metadata.getUsage(), true);
        }
        if (response != null) {
            final Generation generation = response.getResult();
            final ChatGenerationMetadata generationMetadata = generation == null ? null : generation.getMetadata();
            final String finishReason = generationMetadata == null ? null : generationMetadata.getFinishReason();
            if (hasText(finishReason)) {
                event.tag(FINISH_REASON_TAG, finishReason);
            }
        }
    }

    private void fillEmbedding(final Event event, final EmbeddingModelObservationContext context) {
        event.operation(EMBEDDINGS);
        provider(event, context.getOperationMetadata());
        final EmbeddingOptions options = context.getRequest().getOptions();
        final String requestModel = options == null ? null : options.getModel();
        final EmbeddingResponse response = context.getResponse();
        final EmbeddingResponseMetadata metadata = response == null ? null : response.getMetadata();
        final String responseModel = metadata == null ? null : metadata.getModel();
        event.model(hasText(responseModel) ? responseModel : requestModel);
        if (metadata != null) {
            usage(event, metadata.getUsage(), false);
        }
    }

    private static void fillTool(final Event event, final ToolCallingObservationContext context) {
        event.operation(EXECUTE_TOOL);
        final ToolDefinition definition = context.getToolDefinition();
        if (definition != null && hasText(definition.name())) {
            event.tool(definition.name());
        }
    }

    private static void provider(final Event event, final AiOperationMetadata metadata) {
        if (metadata != null && hasText(metadata.provider())) {
            event.provider(metadata.provider());
        }
    }

    private void usage(final Event event, final Usage usage, final boolean completion) {
        if (usage == null) {
            return;
        }
        final Integer prompt = usage.getPromptTokens();
        if (prompt != null) {
            event.promptTokens(prompt);
        }
        if (completion) {
            final Integer completionTokens = usage.getCompletionTokens();
            if (completionTokens != null) {
                event.completionTokens(completionTokens);
            }
        }
        nativeUsage.fill(event, usage.getNativeUsage());
    }

    private static boolean hasText(final String s) {
        return s != null && !s.isEmpty();
    }

    /** @return the events recorded so far. */
    public long recorded() {
        return recorded.sum();
    }

    /** @return the events the recorder dropped because it was full and its policy is to drop. */
    public long dropped() {
        return dropped.sum();
    }

    /** @return the events the recorder refused (a bad or missing value, a cardinality limit, closed). */
    public long refused() {
        return refused.sum();
    }

    /** The type of the start time's key: private, so no other handler's entry collides with it. */
    private static final class StartNs {
        private StartNs() {
        }
    }
}
