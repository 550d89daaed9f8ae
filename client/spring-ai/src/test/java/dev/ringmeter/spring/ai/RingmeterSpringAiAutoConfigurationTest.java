package dev.ringmeter.spring.ai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.EventRecorder;
import dev.ringmeter.core.EmbeddedStore;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.observation.ChatModelObservationContext;
import org.springframework.ai.chat.observation.ChatModelObservationDocumentation;
import org.springframework.ai.chat.observation.DefaultChatModelObservationConvention;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The auto-configuration in real Spring application contexts, with Spring Boot's own observation auto-configuration
 * providing the {@link ObservationRegistry}: the handler is registered with it (a chat observed through the context's
 * registry lands in the store), the recorder comes from {@code ringmeter.url} or from the application's own bean,
 * {@code ringmeter.enabled=false} turns it off, and a missing URL stops the start with a message naming the property.
 */
@Timeout(120)
class RingmeterSpringAiAutoConfigurationTest {
    @TempDir
    Path dir;

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
        AutoConfigurations.of(ObservationAutoConfiguration.class, RingmeterSpringAiAutoConfiguration.class));

    /** Observes one chat call through the context's registry, as a Spring AI chat model would. */
    private static void observeChat(final AssertableApplicationContext context, final String model) {
        final ObservationRegistry registry = context.getBean(ObservationRegistry.class);
        final ChatModelObservationContext chat = ChatModelObservationContext.builder()
            .prompt(new Prompt("Hello", ChatOptions.builder().model(model).build())).provider("openai").build();
        ChatModelObservationDocumentation.CHAT_MODEL_OPERATION.observation(null,
            new DefaultChatModelObservationConvention(), () -> chat, registry).observe(() ->
            chat.setResponse(new ChatResponse(List.of(), ChatResponseMetadata.builder().model(model)
                .usage(new DefaultUsage(5, 2)).build())));
    }

    @Test
    void shouldRecordThroughTheRegistryIntoTheRecorderTheUrlNames() {
        runner.withPropertyValues("ringmeter.url=file:" + dir.toAbsolutePath()).run(context -> {
            assertThat(context).hasSingleBean(RingmeterObservationHandler.class);
            assertThat(context).getBean(EventRecorder.class).isInstanceOf(EmbeddedStore.class);
            observeChat(context, "gpt-4o");
            final List<JsonNode> events = StoreEvents.events((EmbeddedStore) context.getBean(EventRecorder.class));
            assertEquals(1, events.size(), events.toString());
            assertEquals("gpt-4o", events.get(0).get("model").asText());
            assertEquals(5, events.get(0).get("promptTokens").asLong());
            assertEquals(1, context.getBean(RingmeterObservationHandler.class).recorded());
        });
    }

    @Test
    void shouldRecordIntoTheApplicationsOwnRecorder() throws Exception {
        try (EmbeddedStore own = StoreEvents.open(dir)) {
            runner.withBean("myRecorder", EventRecorder.class, () -> own, d -> d.setDestroyMethodName(""))
                .withPropertyValues("ringmeter.url=http://127.0.0.1:1").run(context -> {
                    assertThat(context).hasSingleBean(EventRecorder.class);
                    assertSame(own, context.getBean(EventRecorder.class));
                    observeChat(context, "claude-sonnet-4");
                });
            final List<JsonNode> events = StoreEvents.events(own);
            assertEquals(1, events.size(), events.toString());
            assertEquals("claude-sonnet-4", events.get(0).get("model").asText());
        }
    }

    @Test
    void shouldStayOffWhenDisabled() {
        runner.withPropertyValues("ringmeter.enabled=false", "ringmeter.url=file:" + dir.toAbsolutePath())
            .run(context -> {
                assertThat(context).hasNotFailed();
                assertThat(context).doesNotHaveBean(RingmeterObservationHandler.class);
                assertThat(context).doesNotHaveBean(EventRecorder.class);
            });
    }

    @Test
    void shouldRefuseToStartWithoutAUrlNamingTheProperty() {
        runner.run(context -> assertThat(context).getFailure().rootCause()
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("ringmeter.url is required"));
    }

    @Test
    void shouldLeaveAnApplicationsOwnHandlerInPlace() {
        runner.withUserConfiguration(OwnHandler.class).withPropertyValues("ringmeter.url=mem:").run(context -> {
            assertThat(context).hasSingleBean(RingmeterObservationHandler.class);
            assertSame(context.getBean(OwnHandler.class).handler, context.getBean(RingmeterObservationHandler.class));
        });
    }

    /** An application that builds its own handler. */
    @Configuration(proxyBeanMethods = false)
    static class OwnHandler {
        final RingmeterObservationHandler handler;

        OwnHandler(final EventRecorder recorder) {
            this.handler = new RingmeterObservationHandler(recorder);
        }

        @Bean
        RingmeterObservationHandler myHandler() {
            return handler;
        }
    }
}
