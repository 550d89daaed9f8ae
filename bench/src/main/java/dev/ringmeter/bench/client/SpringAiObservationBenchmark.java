package dev.ringmeter.bench.client;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.spring.ai.RingmeterObservationHandler;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.observation.ChatModelObservationContext;
import org.springframework.ai.chat.observation.ChatModelObservationDocumentation;
import org.springframework.ai.chat.observation.DefaultChatModelObservationConvention;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the Spring AI observation handler adds to a chat call: one observation of a chat call as Spring AI's chat
 * models make it (a new {@link ChatModelObservationContext}, its default convention, start, response set, stop)
 * through a registry whose one handler does nothing ({@code noop}, the cost of the observation itself) or is the
 * {@link RingmeterObservationHandler} recording into an in-memory store ({@code ringmeter}); the difference is the
 * handler's cost per call. Run with {@code -prof gc}: the difference in bytes per operation is what the handler
 * allocates.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SpringAiObservationBenchmark {
    private static final DefaultChatModelObservationConvention CONVENTION = new DefaultChatModelObservationConvention();

    /** The registry with its one handler, and the store the Ringmeter handler records into. */
    @State(Scope.Benchmark)
    public static class Registry {
        @Param({"noop", "ringmeter"})
        public String handler;
        EmbeddedStore store;
        ObservationRegistry registry;
        Prompt prompt;
        ChatResponse response;

        @Setup(Level.Trial)
        public void open() {
            store = EmbeddedStore.open(new StoreConfig().ringSize(65536)
                .waitStrategy(StoreConfig.WaitStrategyKind.YIELDING));
            registry = ObservationRegistry.create();
            registry.observationConfig().observationHandler("ringmeter".equals(handler)
                ? new RingmeterObservationHandler(store) : new Noop());
            prompt = new Prompt("What is the capital of France?", ChatOptions.builder().model("gpt-4o").build());
            response = new ChatResponse(List.of(new Generation(new AssistantMessage("Paris."),
                ChatGenerationMetadata.builder().finishReason("STOP").build())),
                ChatResponseMetadata.builder().id("chatcmpl-1").model("gpt-4o-2024-08-06")
                    .usage(new DefaultUsage(812, 245)).build());
        }

        @TearDown(Level.Trial)
        public void close() {
            store.close();
        }
    }

    /** A handler that takes every observation and does nothing: the baseline. */
    static final class Noop implements ObservationHandler<Observation.Context> {
        @Override
        public boolean supportsContext(final Observation.Context context) {
            return true;
        }
    }

    @Benchmark
    public ChatModelObservationContext observeChat(final Registry r) {
        final ChatModelObservationContext context = ChatModelObservationContext.builder().prompt(r.prompt)
            .provider("openai").build();
        final Observation observation = ChatModelObservationDocumentation.CHAT_MODEL_OPERATION
            .observation(null, CONVENTION, () -> context, r.registry).start();
        context.setResponse(r.response);
        observation.stop();
        return context;
    }
}
