package dev.ringmeter.core.cost;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The built-in price list: the resource {@value #RESOURCE}, a JSON document with the date its prices were taken
 * ({@code asOf}), the pages they were taken from ({@code sources}) and one entry per model or model family
 * ({@code match}, {@code model}, the prices and tiers, as the price API takes them). Its entries are the defaults
 * of every store: effective from 0, revision 0, negative ids; a user entry that matches a model wins over them.
 * <p>
 * Threading: immutable once loaded; any thread.
 */
public final class BuiltInPrices {
    /** The resource of the list. */
    public static final String RESOURCE = "/dev/ringmeter/core/cost/builtin-prices.json";
    private static final BuiltInPrices DEFAULT = load();

    private final LocalDate asOf;
    private final List<String> sources;
    private final List<PriceEntry> entries;

    private BuiltInPrices(final LocalDate asOf, final List<String> sources, final List<PriceEntry> entries) {
        this.asOf = asOf;
        this.sources = List.copyOf(sources);
        this.entries = List.copyOf(entries);
    }

    /** @return the list shipped in the jar, loaded once. */
    public static BuiltInPrices standard() {
        return DEFAULT;
    }

    /** @return an empty list, for a store configured without built-in prices. */
    public static BuiltInPrices none() {
        return new BuiltInPrices(null, List.of(), List.of());
    }

    private static BuiltInPrices load() {
        try (InputStream in = BuiltInPrices.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the resource " + RESOURCE + " is missing from the jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * @param json a list in the resource's format.
     * @return the list.
     * @throws IllegalArgumentException naming the entry and field that is wrong.
     */
    @SuppressWarnings("unchecked")
    static BuiltInPrices parse(final String json) {
        final Map<String, Object> root = (Map<String, Object>)new SimpleJson(json).value();
        final LocalDate asOf = LocalDate.parse((String)root.get("asOf"));
        final List<String> sources = new ArrayList<>();
        for (final Object s : (List<Object>)root.get("sources")) {
            sources.add((String)s);
        }
        final List<PriceEntry> entries = new ArrayList<>();
        long id = -1;
        for (final Object o : (List<Object>)root.get("entries")) {
            final Map<String, Object> e = (Map<String, Object>)o;
            try {
                entries.add(entry(e, id--));
            } catch (final RuntimeException ex) {
                throw new IllegalArgumentException("built-in price entry " + e.get("model") + ": " + ex.getMessage(),
                    ex);
            }
        }
        return new BuiltInPrices(asOf, sources, entries);
    }

    @SuppressWarnings("unchecked")
    private static PriceEntry entry(final Map<String, Object> e, final long id) {
        final MatchKind match = MatchKind.ofWire((String)e.getOrDefault("match", "exact"));
        final String pattern = (String)e.get(PriceEntryRules.MODEL);
        final PriceTier base = tier(e, 0);
        final List<Object> list = (List<Object>)e.getOrDefault(PriceEntryRules.TIERS, List.of());
        final PriceTier[] tiers = new PriceTier[list.size()];
        for (int i = 0; i < tiers.length; i++) {
            final Map<String, Object> t = (Map<String, Object>)list.get(i);
            tiers[i] = tier(t, ((Number)t.get(PriceEntryRules.ABOVE_INPUT_TOKENS)).longValue());
        }
        PriceEntryRules.check(match, pattern, 0, base, tiers);
        return new PriceEntry(id, 0, true, match, pattern, 0, base, tiers);
    }

    private static PriceTier tier(final Map<String, Object> m, final long above) {
        return new PriceTier(above, number(m, PriceEntryRules.INPUT), number(m, PriceEntryRules.OUTPUT),
            number(m, PriceEntryRules.CACHE_READ), number(m, PriceEntryRules.CACHE_WRITE),
            number(m, PriceEntryRules.REASONING));
    }

    private static double number(final Map<String, Object> m, final String field) {
        final Object v = m.get(field);
        return v == null ? Double.NaN : ((Number)v).doubleValue();
    }

    /** @return the date the prices were taken, or null for an empty list. */
    public LocalDate asOf() {
        return asOf;
    }

    /** @return the pages the prices were taken from. */
    public List<String> sources() {
        return sources;
    }

    /** @return the entries, as in the resource. */
    public List<PriceEntry> entries() {
        return entries;
    }
}
