package dev.ringmeter.server.query;

import dev.ringmeter.Event;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.QueryParams;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one reader of a custom metric query's tag filters: {@code tag=KEY:VALUE}, repeatable, each a tag the
 * matching series must have (all of them). What /api/v1/metrics, /api/v1/series and /api/v1/trends take.
 * <p>
 * Threading: stateless; any thread.
 */
final class TagFilters {
    /** The parameter. */
    static final String PARAM = "tag";
    /** The parameters that may be repeated. */
    static final List<String> REPEATABLE = List.of(PARAM);

    private TagFilters() {
    }

    /**
     * @param q the request's parameters, read with {@link #REPEATABLE}.
     * @return tag key to value, in the order given; empty for none.
     * @throws ApiException 400 naming {@code tag} for a filter that is not KEY:VALUE with both parts, a key given
     *                      twice, or more filters than a sample has tags.
     */
    static Map<String, String> of(final QueryParams q) {
        final List<String> given = q.all(PARAM);
        if (given.size() > Event.MAX_TAGS) {
            throw ApiException.badParameter(PARAM, "at most " + Event.MAX_TAGS + " tag filters, not " + given.size());
        }
        final Map<String, String> tags = new LinkedHashMap<>();
        for (final String tag : given) {
            final int colon = tag.indexOf(':');
            if (colon <= 0 || colon == tag.length() - 1) {
                throw ApiException.badParameter(PARAM, "tag must be KEY:VALUE, e.g. tag=gpu:0, not '"
                    + QueryController.truncate(tag) + "'");
            }
            if (tags.put(tag.substring(0, colon), tag.substring(colon + 1)) != null) {
                throw ApiException.badParameter(PARAM, "tag key '" + QueryController.truncate(tag.substring(0, colon))
                    + "' is given twice; a series has one value per key");
            }
        }
        return tags;
    }
}
