package dev.ringmeter.langchain4j;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A service with langchain4j-core but none of the optional modules (langchain4j for tools, langchain4j-open-ai,
 * langchain4j-anthropic) loads the listener and records usage: the class path of this test without those jars.
 */
@Timeout(60)
class OptionalModulesTest {
    private static final List<String> OPTIONAL = List.of("langchain4j-open-ai-", "langchain4j-anthropic-",
        "langchain4j-1.");

    @Test
    void theListenerWorksWithoutTheOptionalModules() throws Exception {
        final List<URL> urls = new ArrayList<>();
        int left = 0;
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            final String name = Path.of(entry).getFileName().toString();
            if (OPTIONAL.stream().anyMatch(name::startsWith)) {
                left++;
            } else {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        assertEquals(3, left, "the three optional jars are on the test's class path, and left out here");
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]),
            ClassLoader.getPlatformClassLoader())) {
            final Class<?> entry = Class.forName(RingmeterLangChain4j.class.getName(), true, loader);
            Class.forName(RingmeterChatModelListener.class.getName(), true, loader);
            final Class<?> usage = Class.forName(ProviderUsage.class.getName(), true, loader);
            final Class<?> tokenUsage = Class.forName("dev.langchain4j.model.output.TokenUsage", true, loader);
            final Class<?> eventClass = Class.forName("dev.ringmeter.Event", true, loader);
            final Object event = eventClass.getConstructor().newInstance();
            final Method read = usage.getDeclaredMethod("read", tokenUsage, eventClass);
            read.setAccessible(true);
            read.invoke(null, tokenUsage.getConstructor(Integer.class, Integer.class).newInstance(3, 4), event);
            assertEquals(3L, eventClass.getMethod("promptTokens").invoke(event));
            assertEquals(4L, eventClass.getMethod("completionTokens").invoke(event));
            assertTrue(entry.getMethod("recordingTo", Class.forName("dev.ringmeter.EventRecorder", false, loader))
                != null);
        }
    }
}
