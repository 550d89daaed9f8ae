package dev.ringmeter.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ringmeter query}: windowed analytics, the reply of {@code GET /api/v1/analytics} for the same parameters
 * (its rules decide what is valid and answer from memory or from a journal scan), printed as JSON or as a table of
 * chosen metrics, one row per model, group or subject.
 * <p>
 * Threading: one call on the main thread.
 */
@Command(name = "query", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Windowed analytics (latency, TTFT, tokens, cost, errors) as a table or JSON.",
    footer = {"", "Examples:", "  ringmeter query --data ./data --window 1h",
        "  ringmeter query --url http://127.0.0.1:8080 --model gpt-4o --window 15m --format json",
        "  ringmeter query --data ./data --group-by run --where status=error --metrics count,latencyMs.p99"})
final class QueryCommand implements Callable<Integer> {
    /** The table's columns when none are asked for. */
    static final String DEFAULT_METRICS = "count,errorCount,requestsPerSecond,latencyMs.p50,latencyMs.p95,"
        + "latencyMs.p99,ttftMs.p50";

    @Mixin
    Target target = new Target();

    @Option(names = "--model", paramLabel = "NAME", description = "one model (default: every model, and all)")
    String model;

    @Option(names = "--pipeline", paramLabel = "NAME", description = "one pipeline (with --step: one of its steps)")
    String pipeline;

    @Option(names = "--step", paramLabel = "NAME", description = "one pipeline step")
    String step;

    @Option(names = "--tool", paramLabel = "NAME", description = "one tool")
    String tool;

    @Option(names = "--agent", paramLabel = "NAME", description = "one agent")
    String agent;

    @Option(names = "--window", paramLabel = "SPAN",
        description = "the last SPAN, e.g. 15m, 1h, 7d (default: the API's, 5m)")
    String window;

    @Option(names = "--from", paramLabel = "TIME", description = "start, ISO-8601 or epoch ms (with --to)")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "end, ISO-8601 or epoch ms")
    String to;

    @Option(names = "--group-by", paramLabel = "FIELD", description = "group a journal scan by a field: run, task, "
        + "config, status, tag:KEY ...")
    String groupBy;

    @Option(names = "--where", paramLabel = "FIELD=VALUE", description = "filter of a journal scan, repeatable: "
        + "run=, task=, config=, status=, errorType=, provider=, operation=, tag=KEY:VALUE")
    List<String> where = new ArrayList<>();

    @Option(names = "--limit", paramLabel = "N", description = "most groups of a --group-by")
    Integer limit;

    @Option(names = "--metrics", paramLabel = "LIST", split = ",", description = "the table's columns, fields of the "
        + "JSON reply (default: " + DEFAULT_METRICS + ")")
    List<String> metrics = new ArrayList<>(List.of(DEFAULT_METRICS.split(",")));

    @Option(names = "--format", paramLabel = "FORMAT", description = "table (default) or json")
    String format = "table";

    @Override
    public Integer call() throws JsonProcessingException {
        final String fmt = format.toLowerCase(Locale.ROOT);
        if (!fmt.equals("table") && !fmt.equals("json")) {
            throw new CliException(RingmeterCommand.EXIT_USAGE, "--format must be table or json, not '" + format + "'");
        }
        final Map<String, String> params = new LinkedHashMap<>();
        params.put("model", model);
        params.put("pipeline", pipeline);
        params.put("step", step);
        params.put("tool", tool);
        params.put("agent", agent);
        params.put("window", window);
        params.put("from", from);
        params.put("to", to);
        params.put("groupBy", groupBy);
        params.put("limit", limit == null ? null : limit.toString());
        for (final String w : where) {
            final int eq = w.indexOf('=');
            if (eq <= 0) {
                throw new CliException(RingmeterCommand.EXIT_USAGE, "--where takes FIELD=VALUE, not '" + w + "'");
            }
            params.put(w.substring(0, eq), w.substring(eq + 1));
        }
        final JsonNode reply;
        try (Api api = target.open(false)) {
            if (target.route() != null) {
                System.err.println("ringmeter query: " + target.route());
            }
            reply = api.get("/api/v1/analytics", params);
        }
        final PrintStream out = System.out;
        if (fmt.equals("json")) {
            out.println(Api.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(reply));
        } else {
            out.print(table(reply, metrics));
        }
        return RingmeterCommand.EXIT_OK;
    }

    /**
     * @param reply   of {@code /api/v1/analytics}: one window, or a list of them (models, groups) with a total.
     * @param columns fields of a window, dotted for nested ones ({@code latencyMs.p99}).
     * @return the table, a header and one row per window, the columns aligned.
     */
    static String table(final JsonNode reply, final List<String> columns) {
        final List<JsonNode> rows = new ArrayList<>();
        if (reply.has("count")) {
            rows.add(reply);
        } else {
            reply.properties().forEach(e -> {
                if (e.getValue().isArray()) {
                    e.getValue().forEach(w -> {
                        if (w.has("count")) {
                            rows.add(w);
                        }
                    });
                } else if (e.getValue().has("count")) {
                    rows.add(e.getValue());
                }
            });
        }
        for (final String column : columns) {
            if (!rows.isEmpty() && rows.stream().allMatch(r -> r.at("/" + column.replace('.', '/')).isMissingNode())) {
                throw new CliException(RingmeterCommand.EXIT_USAGE, "--metrics: '" + column + "' is not a field of the"
                    + " reply; --format json shows them all (e.g. count, latencyMs.p99, tokens)");
            }
        }
        final List<String[]> cells = new ArrayList<>();
        final String[] header = new String[columns.size() + 1];
        header[0] = reply.has("groupBy") && !reply.get("groupBy").isNull() ? reply.get("groupBy").asText() : "name";
        for (int i = 0; i < columns.size(); i++) {
            header[i + 1] = columns.get(i);
        }
        cells.add(header);
        for (final JsonNode row : rows) {
            final String[] line = new String[header.length];
            line[0] = label(row);
            for (int i = 0; i < columns.size(); i++) {
                line[i + 1] = cell(row.at("/" + columns.get(i).replace('.', '/')));
            }
            cells.add(line);
        }
        final int[] widths = new int[header.length];
        for (final String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        final StringBuilder b = new StringBuilder();
        for (final String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                if (i == 0) {
                    b.append(String.format(Locale.ROOT, "%-" + widths[i] + "s", line[i]));
                } else {
                    b.append("  ").append(String.format(Locale.ROOT, "%" + widths[i] + "s", line[i]));
                }
            }
            b.append('\n');
        }
        if (rows.isEmpty()) {
            b.append("(no data in the window)\n");
        }
        return b.toString();
    }

    private static String label(final JsonNode w) {
        if (w.has("group")) {
            return w.get("group").asText();
        }
        if (w.has("subject")) {
            final String kind = w.get("subject").asText();
            final String name = w.path(kind).asText();
            return w.hasNonNull("pipeline") && !kind.equals("pipeline") ? w.get("pipeline").asText() + "/" + name
                : name;
        }
        return w.has("model") ? w.get("model").asText() : w.has("name") ? w.get("name").asText() : "(other)";
    }

    private static String cell(final JsonNode v) {
        if (v.isMissingNode() || v.isNull()) {
            return "-";
        }
        if (v.isFloatingPointNumber()) {
            return String.format(Locale.ROOT, "%.2f", v.asDouble());
        }
        return v.asText();
    }
}
