package dev.ringmeter.remote;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts the one item a server refused out of a batch, so that the rest of it can be sent again. The server refuses a
 * batch whole, but when a single item is at fault (a bad value, a string too long, a dimension past its cardinality
 * limit) its error reply names the item's index: {@code {"error": ..., "field": ..., "index": n}}. Up to
 * {@value #MAX_CUTS_PER_BATCH} items are cut out of one batch; past that, or when the reply names no index in the
 * batch, or the batch holds a single item, the batch is refused whole.
 * <p>
 * Threading: not thread-safe; owned by the sender thread, which calls {@link #startBatch()} before each batch.
 */
final class RejectedItemCutter {
    /** How many single bad items are cut out of one batch before the rest of it is rejected whole. */
    static final int MAX_CUTS_PER_BATCH = 32;

    private static final Pattern INDEX = Pattern.compile("\"index\"\\s*:\\s*(\\d+)");

    private int cuts;

    /** Resets the count of cuts for a new batch. */
    void startBatch() {
        cuts = 0;
    }

    /**
     * @param batch     refused by the server.
     * @param replyBody the server's error reply, or null.
     * @return the index of the item cut out of the batch, or -1 if the batch is to be refused whole (it is then left
     * as it was).
     */
    int cut(final NdjsonBatch batch, final String replyBody) {
        final int items = batch.count();
        final int index = badIndex(replyBody, items);
        if (index < 0 || cuts >= MAX_CUTS_PER_BATCH || items <= 1) {
            return -1;
        }
        cuts++;
        batch.remove(index);
        return index;
    }

    /**
     * @param body  the server's error reply, {@code {"error": ..., "field": ..., "index": n}}.
     * @param items in the batch.
     * @return the index the server named, or -1.
     */
    static int badIndex(final String body, final int items) {
        if (body == null) {
            return -1;
        }
        final Matcher m = INDEX.matcher(body);
        if (!m.find()) {
            return -1;
        }
        try {
            final int index = Integer.parseInt(m.group(1));
            return index < items ? index : -1;
        } catch (final NumberFormatException e) {
            return -1;
        }
    }
}
