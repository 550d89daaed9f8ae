package dev.ringmeter.server.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.Json;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a whole ingest batch, a JSON array of objects or NDJSON (one object per line), into an {@link IngestBatch}
 * with a streaming parser, from the request body as {@link dev.ringmeter.server.http.RequestBody} read it.
 * Every item is checked as it is read; the first problem ends the read with an {@link ApiException} that says
 * where (400 for malformed JSON, with line, column and byte offset; 422 naming the field and the item's index;
 * 413 for a batch past its limit, or a body past its limit while it is read).
 * <p>
 * Threading: stateless; any thread.
 */
final class BatchReader {
    /** Reads one item, the parser on its START_OBJECT, into the batch at an index. */
    interface ItemReader {
        /**
         * @param p     the parser, on the item's START_OBJECT; leaves it on the matching END_OBJECT.
         * @param batch to fill.
         * @param index of the item in the batch.
         * @throws IOException           from the parser.
         * @throws InvalidEventException naming a bad field.
         */
        void read(JsonParser p, IngestBatch batch, int index) throws IOException;
    }

    private BatchReader() {
    }

    /**
     * @param body     the request body, already bounded in size.
     * @param ndjson   true for NDJSON, false for a JSON array.
     * @param maxBatch most items allowed.
     * @param batch    to fill.
     * @param items    reads one item.
     * @return the number of items read.
     * @throws ApiException saying what is wrong and where.
     * @throws IOException  if the connection fails.
     */
    static int read(final InputStream body, final boolean ndjson, final int maxBatch, final IngestBatch batch,
                    final ItemReader items) throws IOException {
        int count = 0;
        try (JsonParser p = Json.FACTORY.createParser(body)) {
            p.enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER.mappedFeature());   // parses in place: no String
            if (ndjson) {
                long lastLine = 0;
                JsonToken t;
                while ((t = p.nextToken()) != null) {
                    if (t != JsonToken.START_OBJECT) {
                        throw ApiException.invalid(null, count, "each NDJSON line must hold one JSON object, not "
                            + describe(t));
                    }
                    final long line = p.currentTokenLocation().getLineNr();
                    if (line <= lastLine) {
                        throw ApiException.malformed("each NDJSON line must hold exactly one JSON object", count,
                            p.currentTokenLocation());
                    }
                    count = item(p, batch, items, count, maxBatch);
                    lastLine = p.currentLocation().getLineNr();
                }
            } else {
                final JsonToken first = p.nextToken();
                if (first != JsonToken.START_ARRAY) {
                    if (first == null) {
                        throw ApiException.malformed("the body is empty; send a JSON array (or NDJSON with "
                            + "Content-Type application/x-ndjson)", -1, p.currentLocation());
                    }
                    throw ApiException.invalid(null, -1, "the body must be a JSON array of objects (or NDJSON with "
                        + "Content-Type application/x-ndjson), not " + describe(first));
                }
                JsonToken t;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t != JsonToken.START_OBJECT) {
                        if (t == null) {
                            throw ApiException.malformed("the array is not closed", count, p.currentLocation());
                        }
                        throw ApiException.invalid(null, count, "each element must be a JSON object, not "
                            + describe(t));
                    }
                    count = item(p, batch, items, count, maxBatch);
                }
                if (p.nextToken() != null) {
                    throw ApiException.malformed("unexpected content after the closing ]", -1,
                        p.currentTokenLocation());
                }
            }
        } catch (final JsonProcessingException e) {   // syntax, or a token past the parser's constraints
            throw ApiException.malformedJson(e, count);
        }
        return count;
    }

    private static int item(final JsonParser p, final IngestBatch batch, final ItemReader items, final int index,
                            final int maxBatch) throws IOException {
        if (index >= maxBatch) {
            throw ApiException.tooLarge("a batch holds at most " + maxBatch + " items");
        }
        try {
            items.read(p, batch, index);
        } catch (final InvalidEventException e) {
            throw ApiException.invalid(e, index);
        }
        return index + 1;
    }

    private static String describe(final JsonToken t) {
        switch (t) {
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return t.asString() == null ? t.name() : t.asString();
        }
    }
}
