package dev.ringmeter.core.ingest;

import dev.ringmeter.InvalidEventException;
import dev.ringmeter.wire.FieldNames;

/**
 * The rules a model's price must meet, written once for the embedded store's {@code setPrice} and the server's
 * pricing routes: a model name, and USD per million input and output tokens that are finite and &gt;= 0. The model
 * name also meets the dictionary's string rules (length, cardinality) when the store resolves it.
 * <p>
 * Threading: stateless; any thread.
 */
public final class PriceRules {
    private PriceRules() {
    }

    /**
     * @param model               name.
     * @param inputUsdPerMillion  USD per million prompt tokens.
     * @param outputUsdPerMillion USD per million completion tokens.
     * @throws InvalidEventException naming the first field that breaks a rule.
     */
    public static void check(final String model, final double inputUsdPerMillion, final double outputUsdPerMillion) {
        checkModel(model);
        checkUsdPerMillion(inputUsdPerMillion, outputUsdPerMillion);
    }

    /**
     * @param model name; required.
     * @throws InvalidEventException naming the field {@code model} if it is null or empty.
     */
    public static void checkModel(final String model) {
        if (model == null || model.isEmpty()) {
            throw new InvalidEventException(FieldNames.MODEL, "is required");
        }
    }

    /**
     * @param inputUsdPerMillion  USD per million prompt tokens, finite and &gt;= 0.
     * @param outputUsdPerMillion USD per million completion tokens, finite and &gt;= 0.
     * @throws InvalidEventException naming the first field that breaks the rule.
     */
    public static void checkUsdPerMillion(final double inputUsdPerMillion, final double outputUsdPerMillion) {
        checkUsdPerMillion(FieldNames.INPUT_USD_PER_MILLION, inputUsdPerMillion);
        checkUsdPerMillion(FieldNames.OUTPUT_USD_PER_MILLION, outputUsdPerMillion);
    }

    private static void checkUsdPerMillion(final String field, final double usdPerMillion) {
        if (!(usdPerMillion >= 0) || Double.isInfinite(usdPerMillion)) {
            throw new InvalidEventException(field, "must be a finite number >= 0 but was " + usdPerMillion);
        }
    }
}
