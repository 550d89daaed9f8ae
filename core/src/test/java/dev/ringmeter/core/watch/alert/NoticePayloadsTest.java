package dev.ringmeter.core.watch.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The payloads parse as JSON with the documented fields, whatever the strings hold. */
@Timeout(10)
class NoticePayloadsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AWKWARD = "q\"uote \\ back\nline\ttab \u0001 <b>&amp; \u2028 é";

    private static Notice notice(final boolean firing, final double value) {
        final Map<String, String> labels = new LinkedHashMap<>();
        labels.put("model", AWKWARD);
        labels.put("9-bad.name", "x");
        labels.put("empty", "");
        return new Notice("r-1/1780000000000/critical", "r-1", "p95 \"high\"", Severity.CRITICAL, firing, labels,
            AWKWARD, value, 2.0, 1_780_000_000_000L, firing ? 0 : 1_780_000_060_000L, "http://h/a?x=1&y=2");
    }

    @Test
    void shouldWriteTheWebhookObjectWithEveryDocumentedField() throws Exception {
        final JsonNode n = JSON.readTree(NoticePayloads.webhook(notice(true, 2.5)));
        assertEquals(NoticePayloads.WEBHOOK_VERSION, n.get("version").asText());
        assertEquals("r-1/1780000000000/critical", n.get("dedupKey").asText());
        assertEquals("firing", n.get("status").asText());
        assertEquals("critical", n.get("severity").asText());
        assertEquals("r-1", n.get("rule").get("id").asText());
        assertEquals("p95 \"high\"", n.get("rule").get("name").asText());
        assertEquals(AWKWARD, n.get("labels").get("model").asText());
        assertEquals(AWKWARD, n.get("summary").asText());
        assertEquals(2.5, n.get("value").asDouble());
        assertEquals(2.0, n.get("threshold").asDouble());
        assertEquals("2026-05-28T20:26:40Z", n.get("startsAt").asText());
        assertTrue(n.get("endsAt").isNull());
        assertEquals("http://h/a?x=1&y=2", n.get("generatorUrl").asText());

        final JsonNode resolved = JSON.readTree(NoticePayloads.webhook(notice(false, Double.NaN)));
        assertEquals("resolved", resolved.get("status").asText());
        assertEquals("2026-05-28T20:27:40Z", resolved.get("endsAt").asText());
        assertTrue(resolved.get("value").isNull(), "NaN is null in JSON");
    }

    @Test
    void shouldWriteASlackMessageWithTextBlocksAndTheDedupKey() throws Exception {
        final JsonNode n = JSON.readTree(NoticePayloads.slack(notice(true, 2.5)));
        final String text = n.get("text").asText();
        assertTrue(text.startsWith("FIRING critical: p95 \"high\""), text);
        assertTrue(text.contains("r-1/1780000000000/critical"), text);
        assertTrue(text.contains("&lt;b&gt;&amp;amp;"), "mrkdwn entities escaped: " + text);
        final JsonNode blocks = n.get("blocks");
        assertEquals("header", blocks.get(0).get("type").asText());
        assertEquals("section", blocks.get(1).get("type").asText());
        assertEquals("*Value*\n2.5", blocks.get(1).get("fields").get(0).get("text").asText());
        assertTrue(blocks.get(2).get("elements").get(0).get("text").asText().contains("r-1/1780000000000/critical"));
        assertTrue(blocks.get(3).get("text").get("text").asText().startsWith("<http://h/a?x=1&amp;y=2|"));

        final JsonNode resolved = JSON.readTree(NoticePayloads.slack(notice(false, 2.5)));
        assertTrue(resolved.get("text").asText().startsWith("RESOLVED: "));
    }

    @Test
    void shouldWriteOneAlertmanagerAlertWithSanitisedLabels() throws Exception {
        final JsonNode firing = JSON.readTree(NoticePayloads.alertmanager(notice(true, 2.5), 1_780_000_240_000L));
        assertEquals(1, firing.size());
        final JsonNode a = firing.get(0);
        final JsonNode labels = a.get("labels");
        assertEquals(List.of("model", "_9_bad_name", "alertname", "rule_id", "severity"),
            List.copyOf(iterable(labels)));
        assertFalse(labels.has("empty"), "Alertmanager drops empty labels, so they are left out");
        assertEquals("p95 \"high\"", labels.get("alertname").asText());
        assertEquals("r-1/1780000000000/critical", a.get("annotations").get("dedup_key").asText());
        assertEquals("2.5", a.get("annotations").get("value").asText());
        assertEquals("2026-05-28T20:30:40Z", a.get("endsAt").asText(), "a firing alert ends ahead, re-posted before");
        assertEquals("http://h/a?x=1&y=2", a.get("generatorURL").asText());

        final JsonNode resolved = JSON.readTree(NoticePayloads.alertmanager(notice(false, 2.5), 1L)).get(0);
        assertEquals("2026-05-28T20:27:40Z", resolved.get("endsAt").asText());
        assertEquals("http://am:9093/api/v2/alerts",
            NoticePayloads.uri(new Target(TargetKind.ALERTMANAGER, "http://am:9093/")).toString());
    }

    private static List<String> iterable(final JsonNode object) {
        final List<String> names = new java.util.ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
