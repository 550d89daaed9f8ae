package dev.ringmeter.spring.ai;

import dev.ringmeter.EventRecorder;
import dev.ringmeter.Ringmeter;
import org.springframework.ai.chat.observation.ChatModelObservationContext;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Gives a Spring Boot service a {@link RingmeterObservationHandler} when it adds {@code ringmeter-spring-ai}: the
 * handler is an {@link io.micrometer.observation.ObservationHandler} bean, which Spring Boot's observation
 * auto-configuration (actuator) registers with the application's {@link io.micrometer.observation.ObservationRegistry},
 * the registry Spring AI's models observe their calls with. The calls are recorded into the application's own
 * {@link EventRecorder} bean if it defines one, else into one opened from {@code ringmeter.url} and
 * {@code ringmeter.token} ({@link Ringmeter#open(String, String)}) and closed, draining what it holds, with the
 * context. {@code ringmeter.enabled=false} turns it all off.
 * <p>
 * Threading: Spring calls the bean methods once, at start.
 */
@AutoConfiguration
@ConditionalOnClass(ChatModelObservationContext.class)
@ConditionalOnProperty(prefix = RingmeterProperties.PREFIX, name = "enabled", havingValue = "true",
    matchIfMissing = true)
@EnableConfigurationProperties(RingmeterProperties.class)
public class RingmeterSpringAiAutoConfiguration {

    /**
     * @param properties {@code ringmeter.*}.
     * @return the recorder {@code ringmeter.url} names.
     * @throws IllegalStateException if {@code ringmeter.url} is not set.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(EventRecorder.class)
    public EventRecorder ringmeterEventRecorder(final RingmeterProperties properties) {
        final String url = properties.getUrl();
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("ringmeter.url is required to record Spring AI calls into Ringmeter: "
                + "http://host:port of a Ringmeter server (ringmeter.token for its bearer token), or file:<dir> or "
                + "mem: with ringmeter-core on the classpath; or define an EventRecorder bean, or set "
                + "ringmeter.enabled=false");
        }
        return Ringmeter.open(url, properties.getToken());
    }

    /**
     * @param recorder where the calls are recorded.
     * @return the handler, which Spring Boot registers with the observation registry.
     */
    @Bean
    @ConditionalOnMissingBean
    public RingmeterObservationHandler ringmeterObservationHandler(final EventRecorder recorder) {
        return new RingmeterObservationHandler(recorder);
    }
}
