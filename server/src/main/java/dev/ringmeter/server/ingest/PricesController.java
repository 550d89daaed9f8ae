package dev.ringmeter.server.ingest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.cost.BuiltInPrices;
import dev.ringmeter.core.cost.CostRecompute;
import dev.ringmeter.core.cost.MatchKind;
import dev.ringmeter.core.cost.PriceChange;
import dev.ringmeter.core.cost.PriceEntry;
import dev.ringmeter.core.cost.PriceEntryRules;
import dev.ringmeter.core.cost.PriceTier;
import dev.ringmeter.server.ServerConfig;
import dev.ringmeter.server.StoreContext;
import dev.ringmeter.server.StoreHolder;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.Json;
import dev.ringmeter.server.http.QueryParams;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The price entries ({@code /api/v1/prices}): list them with the built-in list's date, add one, remove one, say
 * which entry prices a model at a time, and recompute the costs of a time range. Entries are checked by
 * {@link PriceEntryRules} (422 naming the field); a change goes through the store's ring under a write permit and
 * the reply waits until it is journaled.
 * <p>
 * Threading: any request thread.
 */
public final class PricesController {
    private static final long MAX_BODY_BYTES = 64 * 1024;

    private final StoreHolder holder;
    private final IngestService ingest;
    private final long timeoutMs;

    /**
     * @param holder the store.
     * @param ingest for the write permits.
     * @param config the server's options.
     */
    public PricesController(final StoreHolder holder, final IngestService ingest, final ServerConfig config) {
        this.holder = holder;
        this.ingest = ingest;
        this.timeoutMs = config.flushTimeoutMs();
    }

    /** GET /api/v1/prices */
    public void list(final Context ctx) {
        QueryParams.of(ctx);
        final EmbeddedStore store = holder.get().store;
        final List<PriceEntry> entries = store.prices().entries();
        final BuiltInPrices builtIn = store.prices().builtIn();
        final long revision = store.prices().revision();
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            g.writeNumberField("revision", revision);
            g.writeObjectFieldStart("builtIn");
            if (builtIn.asOf() != null) {
                g.writeStringField("asOf", builtIn.asOf().toString());
            } else {
                g.writeNullField("asOf");
            }
            g.writeArrayFieldStart("sources");
            for (final String s : builtIn.sources()) {
                g.writeString(s);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("entries");
            for (final PriceEntry e : builtIn.entries()) {
                entry(g, e);
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeArrayFieldStart("entries");
            for (final PriceEntry e : entries) {
                entry(g, e);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** GET /api/v1/prices/resolve?model=&amp;at= */
    public void resolve(final Context ctx) {
        final QueryParams q = QueryParams.of(ctx, "model", "at");
        final String model = q.get("model");
        if (model == null || model.isEmpty()) {
            throw ApiException.badParameter("model", "the parameter model is required");
        }
        final EmbeddedStore store = holder.get().store;
        final String at = q.get("at");
        final long atMs = at == null ? store.config().clock().time() : QueryParams.instantMs(at, "at");
        final PriceEntry e = store.prices().resolver().entry(model, atMs);
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            g.writeStringField("model", model);
            g.writeNumberField("atMs", atMs);
            g.writeFieldName("entry");
            if (e == null) {
                g.writeNull();
            } else {
                entry(g, e);
            }
            g.writeEndObject();
        });
    }

    /** POST /api/v1/prices with one entry. */
    public void add(final Context ctx) throws IOException {
        QueryParams.of(ctx);
        final StoreContext sc = holder.get();
        final PriceEntry entry;
        try (JsonParser p = Json.FACTORY.createParser(ingest.body(ctx, MAX_BODY_BYTES))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ApiException.invalid(null, -1, "the body must be a JSON object: a price entry");
            }
            entry = readEntry(p);
            if (p.nextToken() != null) {
                throw ApiException.malformed("unexpected content after the JSON object", -1,
                    p.currentTokenLocation());
            }
        } catch (final JsonProcessingException e) {
            throw ApiException.malformedJson(e, -1);
        } catch (final InvalidEventException e) {
            throw ApiException.invalid(e, -1);
        }
        final PriceChange[] done = new PriceChange[1];
        ingest.underPermit(() -> done[0] = change(sc, () -> sc.store.putPriceEntry(entry, timeoutMs)));
        final PriceEntry decided = done[0].decidedEntry();
        Json.reply(ctx, 201, g -> entry(g, decided));
    }

    /** DELETE /api/v1/prices/{id} */
    public void remove(final Context ctx) {
        QueryParams.of(ctx);
        final StoreContext sc = holder.get();
        final long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (final NumberFormatException e) {
            throw ApiException.badParameter("id", "the id of a price entry is a whole number");
        }
        if (sc.store.prices().entries().stream().noneMatch(e -> e.id() == id)) {
            throw ApiException.notFound("id", "no price entry of the user's has the id " + id
                + " (built-in entries cannot be removed: add an entry that wins over them)");
        }
        ingest.underPermit(() -> change(sc, () -> sc.store.removePriceEntry(id, timeoutMs)));
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            g.writeNumberField("removed", id);
            g.writeNumberField("revision", sc.store.prices().revision());
            g.writeEndObject();
        });
    }

    /** POST /api/v1/prices/recompute with {"fromMs": a, "toMs": b} */
    public void recompute(final Context ctx) throws IOException {
        QueryParams.of(ctx);
        final StoreContext sc = holder.get();
        long fromMs = -1;
        long toMs = -1;
        try (JsonParser p = Json.FACTORY.createParser(ingest.body(ctx, MAX_BODY_BYTES))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ApiException.invalid(null, -1, "the body must be a JSON object {\"fromMs\": a, \"toMs\": b}");
            }
            String name;
            while ((name = p.nextFieldName()) != null) {
                p.nextToken();
                if (name.equals("fromMs") && fromMs < 0) {
                    fromMs = nonNegative(FieldValues.wholeNumber(p, name), name);
                } else if (name.equals("toMs") && toMs < 0) {
                    toMs = nonNegative(FieldValues.wholeNumber(p, name), name);
                } else {
                    throw new InvalidEventException(name, "is not a field of a recompute (or appears twice); "
                        + "valid: fromMs, toMs");
                }
            }
        } catch (final JsonProcessingException e) {
            throw ApiException.malformedJson(e, -1);
        } catch (final InvalidEventException e) {
            throw ApiException.invalid(e, -1);
        }
        if (fromMs < 0 || toMs < 0) {
            throw ApiException.invalid(fromMs < 0 ? "fromMs" : "toMs", -1, "is required");
        }
        if (toMs <= fromMs) {
            throw ApiException.invalid("toMs", -1, "must be after fromMs");
        }
        final long from = fromMs;
        final long to = toMs;
        final CostRecompute.Report report;
        try {
            report = sc.store.recomputeCosts(from, to, timeoutMs);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted", 1);
        } catch (final IllegalStateException e) {
            throw ApiException.conflict(e.getMessage());
        }
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            g.writeNumberField("fromMs", report.fromMs());
            g.writeNumberField("toMs", report.toMs());
            g.writeNumberField("revision", report.revision());
            g.writeNumberField("repriced", report.repriced());
            g.writeNumberField("changed", report.changed());
            g.writeNumberField("explicit", report.explicit());
            g.writeNumberField("unpriced", report.unpriced());
            g.writeNumberField("deltaUsd", report.deltaUsd());
            g.writeEndObject();
        });
    }

    private static long nonNegative(final long value, final String field) {
        if (value < 0) {
            throw new InvalidEventException(field, "must be >= 0");
        }
        return value;
    }

    /** A price change that may wait or be refused, as the routes apply it. */
    @FunctionalInterface
    private interface Change {
        PriceChange apply() throws InterruptedException;
    }

    private PriceChange change(final StoreContext sc, final Change change) {
        IngestService.refuseWhileUnwritable(sc.store, 0);
        final PriceChange done;
        try {
            done = change.apply();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted before the store applied the price change", 1);
        } catch (final IllegalArgumentException e) {
            throw ApiException.invalid(null, -1, e.getMessage());
        }
        if (done == null) {
            throw ApiException.unavailable("the store did not apply the price change within " + timeoutMs
                + " ms", 1);
        }
        return done;
    }

    private static PriceEntry readEntry(final JsonParser p) throws IOException {
        MatchKind match = MatchKind.EXACT;
        String pattern = null;
        long effectiveFromMs = 0;
        final double[] base = {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        final List<PriceTier> tiers = new ArrayList<>();
        String name;
        while ((name = p.nextFieldName()) != null) {
            p.nextToken();
            switch (name) {
                case PriceEntryRules.MATCH:
                    match = MatchKind.ofWire(FieldValues.string(p, name));
                    if (match == null) {
                        throw new InvalidEventException(name, "must be one of exact, prefix, regex");
                    }
                    break;
                case PriceEntryRules.MODEL:
                    pattern = FieldValues.string(p, name);
                    break;
                case PriceEntryRules.EFFECTIVE_FROM_MS:
                    effectiveFromMs = FieldValues.wholeNumber(p, name);
                    break;
                case PriceEntryRules.TIERS:
                    if (p.currentToken() != JsonToken.START_ARRAY) {
                        throw new InvalidEventException(name, "must be an array of tiers");
                    }
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        tiers.add(readTier(p, PriceEntryRules.TIERS + "[" + tiers.size() + "]."));
                        if (tiers.size() > PriceEntryRules.MAX_TIERS) {
                            throw new InvalidEventException(name, "has more than " + PriceEntryRules.MAX_TIERS
                                + " tiers");
                        }
                    }
                    break;
                default:
                    if (!price(p, name, "", base)) {
                        throw new InvalidEventException(name, "is not a field of a price entry; valid: match, "
                            + "model, effectiveFromMs, inputUsdPerMillion, outputUsdPerMillion, "
                            + "cacheReadUsdPerMillion, cacheWriteUsdPerMillion, reasoningUsdPerMillion, tiers");
                    }
            }
        }
        final PriceTier b = new PriceTier(0, base[0], base[1], base[2], base[3], base[4]);
        final PriceTier[] t = tiers.toArray(new PriceTier[0]);
        PriceEntryRules.check(match, pattern, effectiveFromMs, b, t);
        return new PriceEntry(0, 0, false, match, pattern, effectiveFromMs, b, t);
    }

    private static PriceTier readTier(final JsonParser p, final String prefix) throws IOException {
        long above = -1;
        final double[] v = {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        String name;
        while ((name = p.nextFieldName()) != null) {
            p.nextToken();
            if (name.equals(PriceEntryRules.ABOVE_INPUT_TOKENS)) {
                above = FieldValues.wholeNumber(p, prefix + name);
            } else if (!price(p, name, prefix, v)) {
                throw new InvalidEventException(prefix + name, "is not a field of a tier");
            }
        }
        if (above < 0) {
            throw new InvalidEventException(prefix + PriceEntryRules.ABOVE_INPUT_TOKENS, "is required");
        }
        return new PriceTier(above, v[0], v[1], v[2], v[3], v[4]);
    }

    private static final String[] PRICE_FIELDS = {PriceEntryRules.INPUT, PriceEntryRules.OUTPUT,
        PriceEntryRules.CACHE_READ, PriceEntryRules.CACHE_WRITE, PriceEntryRules.REASONING};

    private static boolean price(final JsonParser p, final String name, final String prefix, final double[] into)
        throws IOException {
        for (int i = 0; i < PRICE_FIELDS.length; i++) {
            if (PRICE_FIELDS[i].equals(name)) {
                into[i] = FieldValues.number(p, prefix + name);
                return true;
            }
        }
        return false;
    }

    private static void entry(final JsonGenerator g, final PriceEntry e) throws IOException {
        g.writeStartObject();
        g.writeNumberField("id", e.id());
        g.writeBooleanField("builtIn", e.builtIn());
        g.writeStringField(PriceEntryRules.MATCH, e.match().wireName());
        g.writeStringField(PriceEntryRules.MODEL, e.pattern());
        g.writeNumberField(PriceEntryRules.EFFECTIVE_FROM_MS, e.effectiveFromMs());
        g.writeNumberField("revision", e.revision());
        tier(g, e.base());
        g.writeArrayFieldStart(PriceEntryRules.TIERS);
        for (int i = 0; i < e.tierCount(); i++) {
            g.writeStartObject();
            g.writeNumberField(PriceEntryRules.ABOVE_INPUT_TOKENS, e.tier(i).aboveInputTokens());
            tier(g, e.tier(i));
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void tier(final JsonGenerator g, final PriceTier t) throws IOException {
        g.writeNumberField(PriceEntryRules.INPUT, t.inputUsdPerMillion());
        g.writeNumberField(PriceEntryRules.OUTPUT, t.outputUsdPerMillion());
        Json.number(g, PriceEntryRules.CACHE_READ, t.cacheReadUsdPerMillion());
        Json.number(g, PriceEntryRules.CACHE_WRITE, t.cacheWriteUsdPerMillion());
        Json.number(g, PriceEntryRules.REASONING, t.reasoningUsdPerMillion());
    }
}
