package dev.ringmeter.spring.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The properties' metadata that IDEs read, as the build generates it from {@link RingmeterProperties}: each property
 * described, with its type and default; and the auto-configuration listed where Spring Boot looks for it.
 */
@Timeout(30)
class RingmeterPropertiesMetadataTest {

    @Test
    void shouldDescribeEveryPropertyWithItsTypeAndDefault() throws Exception {
        final Map<String, JsonNode> byName = new HashMap<>();
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertNotNull(in, "the metadata is generated into the jar");
            for (final JsonNode p : new ObjectMapper().readTree(in).get("properties")) {
                byName.put(p.get("name").asText(), p);
            }
        }
        assertEquals(3, byName.size(), byName.keySet().toString());
        for (final String name : new String[]{"ringmeter.url", "ringmeter.token", "ringmeter.enabled"}) {
            assertTrue(byName.containsKey(name), name);
            assertFalse(byName.get(name).path("description").asText().isBlank(), name + " is described");
        }
        assertEquals("java.lang.Boolean", byName.get("ringmeter.enabled").get("type").asText());
        assertTrue(byName.get("ringmeter.enabled").get("defaultValue").asBoolean());
        assertEquals("java.lang.String", byName.get("ringmeter.url").get("type").asText());
    }

    @Test
    void shouldListTheAutoConfigurationForSpringBoot() throws Exception {
        try (InputStream in = getClass().getResourceAsStream(
            "/META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")) {
            assertNotNull(in);
            assertEquals(RingmeterSpringAiAutoConfiguration.class.getName(), new String(in.readAllBytes()).trim());
        }
    }
}
