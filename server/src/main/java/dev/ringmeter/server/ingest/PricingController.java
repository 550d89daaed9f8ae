package dev.ringmeter.server.ingest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.dictionary.RefusedItemException;
import dev.ringmeter.core.ingest.PriceRules;
import dev.ringmeter.server.ServerConfig;
import dev.ringmeter.server.StoreContext;
import dev.ringmeter.server.StoreHolder;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.Json;
import dev.ringmeter.server.http.QueryParams;
import dev.ringmeter.server.query.QueryController;
import dev.ringmeter.wire.FieldNames;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The price table: USD per million input and output tokens per model, used to cost events that carry no cost of
 * their own. A change applies to the events recorded after it (prices travel through the store's ring). A PUT of
 * many prices is checked whole before any is applied.
 * <p>
 * Threading: any request thread.
 */
public final class PricingController {
    private static final long MAX_BODY_BYTES = 1 << 20;

    private final StoreHolder holder;
    private final IngestService ingest;
    private final int maxEntries;

    /**
     * @param holder the store.
     * @param ingest for the write permits and the acknowledgement.
     * @param config the server's options.
     */
    public PricingController(final StoreHolder holder, final IngestService ingest, final ServerConfig config) {
        this.holder = holder;
        this.ingest = ingest;
        this.maxEntries = config.maxBatch();
    }

    /** GET /api/v1/pricing */
    public void getAll(final Context ctx) {
        QueryParams.of(ctx);
        final EmbeddedStore store = holder.get().store;
        final Map<String, double[]> prices = new LinkedHashMap<>();
        for (final String model : store.dictionary().names(Dimension.MODEL)) {
            final double[] price = store.aggregates().price(model);
            if (price != null) {
                prices.put(model, price);
            }
        }
        Json.reply(ctx, 200, g -> {
            g.writeStartObject();
            for (final Map.Entry<String, double[]> e : prices.entrySet()) {
                g.writeFieldName(e.getKey());
                price(g, e.getValue());
            }
            g.writeEndObject();
        });
    }

    /** GET /api/v1/pricing/{model} */
    public void getOne(final Context ctx) {
        QueryParams.of(ctx);
        final EmbeddedStore store = holder.get().store;
        final String model = ctx.pathParam("model");
        final double[] price = store.aggregates().price(model);
        if (price == null) {
            throw ApiException.notFound("model", "no price for model '" + QueryController.truncate(model) + "'");
        }
        Json.reply(ctx, 200, g -> price(g, price));
    }

    /** PUT /api/v1/pricing/{model} with {"inputUsdPerMillion": x, "outputUsdPerMillion": y} */
    public void putOne(final Context ctx) throws IOException {
        QueryParams.of(ctx);
        final StoreContext sc = holder.get();
        final String model = ctx.pathParam("model");
        final double[] price;
        try (JsonParser p = parser(ctx)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ApiException.invalid(null, -1, "the body must be a JSON object {\""
                    + FieldNames.INPUT_USD_PER_MILLION + "\": x, \"" + FieldNames.OUTPUT_USD_PER_MILLION + "\": y}");
            }
            price = readPrice(p, -1);
            end(p);
        } catch (final JsonProcessingException e) {   // syntax, or a token past the parser's constraints
            throw ApiException.malformedJson(e, -1);
        }
        apply(sc, List.of(model), List.of(price));
        Json.reply(ctx, 200, g -> price(g, price));
    }

    /** PUT /api/v1/pricing with {"model": {"inputUsdPerMillion": x, "outputUsdPerMillion": y}, ...} */
    public void putAll(final Context ctx) throws IOException {
        QueryParams.of(ctx);
        final StoreContext sc = holder.get();
        final List<String> models = new ArrayList<>();
        final List<double[]> prices = new ArrayList<>();
        try (JsonParser p = parser(ctx)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ApiException.invalid(null, -1, "the body must be a JSON object of model -> price");
            }
            String model;
            while ((model = p.nextFieldName()) != null) {
                if (models.size() == maxEntries) {
                    throw ApiException.tooLarge("at most " + maxEntries + " prices at once");
                }
                if (models.contains(model)) {
                    throw ApiException.invalid(model, models.size(), "model '" + model + "' appears twice");
                }
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw ApiException.invalid(model, models.size(), "the price of a model must be a JSON object");
                }
                prices.add(readPrice(p, models.size()));
                models.add(model);
            }
            end(p);
        } catch (final JsonProcessingException e) {   // syntax, or a token past the parser's constraints
            throw ApiException.malformedJson(e, -1);
        }
        apply(sc, models, prices);
        getAll(ctx);
    }

    private void apply(final StoreContext sc, final List<String> models, final List<double[]> prices) {
        for (int i = 0; i < models.size(); i++) {
            try {
                PriceRules.checkModel(models.get(i));
            } catch (final InvalidEventException e) {
                throw ApiException.invalid(e, i);
            }
        }
        ingest.underPermit(() -> {
            try {
                sc.admission.admitModels(models);
            } catch (final RefusedItemException e) {
                throw IngestService.refused(e);
            }
            IngestService.refuseWhileUnwritable(sc.store, 0);
            for (int i = 0; i < models.size(); i++) {
                ingest.record(sc.store.setPrice(models.get(i), prices.get(i)[0], prices.get(i)[1]));
            }
            ingest.acknowledge(sc.store, models.size());
        });
    }

    private static double[] readPrice(final JsonParser p, final int index) throws IOException {
        double in = Double.NaN;
        double out = Double.NaN;
        String name;
        try {
            while ((name = p.nextFieldName()) != null) {
                p.nextToken();
                if (name.equals(FieldNames.INPUT_USD_PER_MILLION) && in != in) {
                    in = FieldValues.number(p, name);
                } else if (name.equals(FieldNames.OUTPUT_USD_PER_MILLION) && out != out) {
                    out = FieldValues.number(p, name);
                } else {
                    throw new InvalidEventException(name, "is not a field of a price (or appears twice); valid: "
                        + String.join(", ", FieldNames.PRICE));
                }
            }
            if (in != in) {
                throw new InvalidEventException(FieldNames.INPUT_USD_PER_MILLION, "is required");
            }
            if (out != out) {
                throw new InvalidEventException(FieldNames.OUTPUT_USD_PER_MILLION, "is required");
            }
            PriceRules.checkUsdPerMillion(in, out);
        } catch (final InvalidEventException e) {
            throw ApiException.invalid(e, index);
        }
        return new double[] {in, out};
    }

    private JsonParser parser(final Context ctx) throws IOException {
        return Json.FACTORY.createParser(ingest.body(ctx, MAX_BODY_BYTES));
    }

    private static void end(final JsonParser p) throws IOException {
        if (p.nextToken() != null) {
            throw ApiException.malformed("unexpected content after the JSON object", -1, p.currentTokenLocation());
        }
    }

    /**
     * Writes a price object of the API, as the pricing routes and GET /api/v1/models show it.
     *
     * @param g     the generator.
     * @param price {input, output} USD per million tokens.
     * @throws IOException never in practice.
     */
    public static void price(final JsonGenerator g, final double[] price) throws IOException {
        g.writeStartObject();
        g.writeNumberField(FieldNames.INPUT_USD_PER_MILLION, price[0]);
        g.writeNumberField(FieldNames.OUTPUT_USD_PER_MILLION, price[1]);
        g.writeEndObject();
    }
}
