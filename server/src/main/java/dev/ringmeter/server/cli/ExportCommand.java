package dev.ringmeter.server.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ringmeter export}: raw events, training data or a table over a range (docs/export.md), the reply of
 * {@code GET /api/v1/export}, {@code /api/v1/export/training} or {@code /api/v1/export/table} for the same
 * parameters (their rules decide what is valid), streamed to standard output or written whole to a file. Written to
 * a file on a terminal, it counts the rows as they arrive.
 * <p>
 * Threading: one call on the main thread.
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Export raw events (CSV, JSON, NDJSON), training data (JSONL) or a table, streamed from the journal.",
    footer = {"", "Every export ends with a trailer stating its rows, range and sampling, and a cursor to resume.", "",
        "Examples:", "  ringmeter export --data ./data --window 24h --format csv -o day.csv",
        "  ringmeter export --url http://127.0.0.1:8080 --where model=gpt-4o --where status=error --window 1h",
        "  ringmeter export --data ./data --training --split run --batch-size 5000 -o train.jsonl",
        "  ringmeter export --data ./data --table steps --format csv --window 7d"})
final class ExportCommand implements Callable<Integer> {
    @Mixin
    Target target = new Target();

    @Mixin
    Output output = new Output();

    @Option(names = "--window", paramLabel = "SPAN", description = "the last SPAN, e.g. 24h")
    String window;

    @Option(names = "--from", paramLabel = "TIME", description = "start, ISO-8601 or epoch ms (with --to)")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "end, ISO-8601 or epoch ms")
    String to;

    @Option(names = "--where", paramLabel = "FIELD=VALUE", description = "filter, repeatable: model=, run=, task=, "
        + "config=, status=, errorType=, provider=, pipeline=, step=, tool=, agent=, tag=KEY:VALUE")
    List<String> where = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT", description = "ndjson (default), json or csv")
    String format;

    @Option(names = "--gzip", description = "gzip the file written")
    boolean gzip;

    @Option(names = "--cursor", paramLabel = "CURSOR", description = "resume from a previous export's cursor")
    String cursor;

    @Option(names = "--training", description = "training data: JSONL rows of context, action, outcome, reward")
    boolean training;

    @Option(names = "--batch-size", paramLabel = "N", description = "with --training: rows between batch cursors")
    Integer batchSize;

    @Option(names = "--split", paramLabel = "HOW", description = "with --training: none, run or time")
    String split;

    @Option(names = "--test-share", paramLabel = "SHARE", description = "with --training: the test split's share")
    String testShare;

    @Option(names = "--table", paramLabel = "TABLE", description = "a table instead of events: runs, steps, tools, "
        + "errors or series")
    String table;

    @Override
    public Integer call() {
        if (training && table != null) {
            throw new CliException(RingmeterCommand.EXIT_USAGE, "--training and --table are two exports: give one");
        }
        final Map<String, String> params = new LinkedHashMap<>();
        params.put("window", window);
        params.put("from", from);
        params.put("to", to);
        for (final String w : where) {
            final int eq = w.indexOf('=');
            if (eq <= 0) {
                throw new CliException(RingmeterCommand.EXIT_USAGE, "--where takes FIELD=VALUE, not '" + w + "'");
            }
            params.put(w.substring(0, eq), w.substring(eq + 1));
        }
        params.put("format", format);
        params.put("gzip", gzip ? "true" : null);
        params.put("cursor", cursor);
        final String path;
        if (training) {
            path = "/api/v1/export/training";
            params.put("batchSize", batchSize == null ? null : batchSize.toString());
            params.put("split", split);
            params.put("testShare", testShare);
        } else if (table != null) {
            path = "/api/v1/export/table";
            params.put("table", table);
        } else {
            path = "/api/v1/export";
        }
        try (Api api = target.open(false)) {
            if (target.route() != null) {
                System.err.println("ringmeter export: " + target.route());
            }
            // the rows are counted on a terminal when they go to a file (on standard output they are the output)
            final ProgressBar rows = output.file == null || gzip ? new ProgressBar(null, "rows", -1)
                : ProgressBar.openEnded("rows");
            final long[] lines = {0};
            output.write(out -> api.download(path, params, new FilterOutputStream(out) {
                @Override
                public void write(final byte[] b, final int off, final int len) throws IOException {
                    out.write(b, off, len);
                    for (int i = off; i < off + len; i++) {
                        if (b[i] == '\n') {
                            lines[0]++;
                        }
                    }
                    rows.update(lines[0]);
                }
            }));
            rows.finish(lines[0]);
        }
        return RingmeterCommand.EXIT_OK;
    }
}
