package dev.ringmeter.server.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ringmeter.server.http.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The string values of a batch, read through a real Jackson parser: each equals the parser's own text (escapes
 * decoded, any Unicode), a value seen before comes back as the same String, and values that share a slot or are too
 * long to keep are still read exactly.
 */
@Timeout(30)
class TextCacheTest {
    /** @return every string value of a JSON array, read through the cache, beside the parser's own text. */
    private static List<String[]> read(final TextCache cache, final String json) throws IOException {
        final List<String[]> values = new ArrayList<>();
        try (JsonParser p = Json.FACTORY.createParser(json.getBytes(StandardCharsets.UTF_8))) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.VALUE_STRING) {
                    final String cached = cache.text(p);
                    values.add(new String[] {cached, p.getText()});
                }
            }
        }
        return values;
    }

    @Test
    void shouldReadEscapedAndNonAsciiValuesAsTheParserDoes() throws IOException {
        final TextCache cache = new TextCache();
        final List<String[]> values = read(cache, "[\"gpt-4o\", \"mod\\u00e8le\", \"modèle\", \"模型\", \"a\\\"b\\\\c\\n\","
            + " \"\\ud83d\\ude00 emoji\", \"\", \"😀 emoji\"]");
        assertEquals(8, values.size());
        for (final String[] v : values) {
            assertEquals(v[1], v[0]);
        }
        assertEquals("modèle", values.get(1)[0]);
        assertSame(values.get(1)[0], values.get(2)[0], "an escaped value and its UTF-8 spelling are one value");
        assertEquals("a\"b\\c\n", values.get(4)[0]);
        assertSame(values.get(5)[0], values.get(7)[0]);
    }

    @Test
    void shouldReturnTheSameStringForAValueSeenBefore() throws IOException {
        final TextCache cache = new TextCache();
        final String first = read(cache, "[\"claude-sonnet\"]").get(0)[0];
        final String again = read(cache, "[\"claude-sonnet\", \"chat\"]").get(0)[0];
        assertSame(first, again);
    }

    @Test
    void shouldReadValuesThatShareASlotAndLongValuesExactly() throws IOException {
        final TextCache cache = new TextCache();
        // "Aa" and "BB" have the same String hash, and so the same slot: each evicts the other but is read exactly
        final List<String[]> values = read(cache, "[\"Aa\", \"BB\", \"Aa\", \"BB\"]");
        assertEquals(List.of("Aa", "BB", "Aa", "BB"), values.stream().map(v -> v[0]).toList());
        // more distinct values than slots: every one is still itself
        final StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 3 * TextCache.SLOTS; i++) {
            many.append(i == 0 ? "" : ",").append("\"model-").append(i).append('"');
        }
        final List<String[]> read = read(cache, many.append(']').toString());
        for (int i = 0; i < read.size(); i++) {
            assertEquals("model-" + i, read.get(i)[0]);
        }
        // a value past the longest kept is read, not kept
        final String lng = "x".repeat(TextCache.MAX_CHARS + 1);
        final List<String[]> longs = read(cache, "[\"" + lng + "\", \"" + lng + "\"]");
        assertEquals(lng, longs.get(0)[0]);
        assertEquals(lng, longs.get(1)[0]);
        assertNotSame(longs.get(0)[0], longs.get(1)[0]);
    }
}
