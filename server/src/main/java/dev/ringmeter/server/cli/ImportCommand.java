package dev.ringmeter.server.cli;

import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.ingest.EventRules;
import dev.ringmeter.server.ingest.EventFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ringmeter import FILE...}: events from NDJSON or CSV files ({@link EventFile}) into a data directory or a
 * server. Two passes over the files, so memory does not grow with them: the first checks every row with the ingest
 * API's own readers and lists each refused one with its file and line; if any is refused, nothing is imported.
 * The second sends the rows, in file order, as NDJSON batches to {@code POST /api/v1/events}, each batch recorded
 * whole or not at all by the server. A batch the store still refuses (a cardinality limit reached, a server that
 * stops) ends the import: the batches before it stay imported, and the command says up to which line.
 * <p>
 * Threading: one call on the main thread. Memory: one batch of rows.
 */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Import events from NDJSON or CSV files, checked as HTTP ingest checks them.",
    footer = {"", "A CSV file has a header row naming the fields (model, latencyMs, timestamp, tags.KEY, "
        + "quality.NAME ...); see docs/cli.md.", "", "Examples:",
        "  ringmeter import --data ./data events.ndjson",
        "  ringmeter import --url http://127.0.0.1:8080 --token $TOKEN calls.csv"})
final class ImportCommand implements Callable<Integer> {
    /** Most rows per request: the server's default --max-batch. */
    static final int MAX_BATCH = 10_000;

    @Mixin
    Target target = new Target();

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "NDJSON (one event object a line) or CSV files")
    List<Path> files = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT",
        description = "auto (default: .csv is CSV, anything else NDJSON), ndjson or csv")
    String format = "auto";

    @Option(names = "--batch-size", paramLabel = "N", description = "rows per request, 1 to " + MAX_BATCH
        + " (default 5000)")
    int batchSize = 5_000;

    @Option(names = "--max-errors", paramLabel = "N", description = "refused rows listed (default 20; all are counted)")
    int maxErrors = 20;

    @Override
    public Integer call() {
        if (batchSize < 1 || batchSize > MAX_BATCH) {
            throw new CliException(RingmeterCommand.EXIT_USAGE, "--batch-size must be 1 to " + MAX_BATCH + ", not "
                + batchSize);
        }
        final EventFile check = new EventFile(new EventRules(new StoreConfig()));
        final long[] rows = new long[1];
        final long[] refused = new long[1];
        for (final Path file : files) {
            read(file, (line, json) -> {
                rows[0]++;
                final String problem = check.problem(json);
                if (problem != null && ++refused[0] <= maxErrors) {
                    System.err.println(file + ":" + line + ": " + problem);
                }
            });
        }
        if (refused[0] > 0) {
            throw new CliException(RingmeterCommand.EXIT_FAILED, refused[0] + " of " + rows[0] + " rows refused"
                + (refused[0] > maxErrors ? " (the first " + maxErrors + " listed)" : "")
                + "; nothing imported: correct them and import again");
        }
        if (rows[0] == 0) {
            System.out.println("nothing to import: the files hold no rows");
            return RingmeterCommand.EXIT_OK;
        }
        final String into;
        final Batch batch = new Batch();
        try (Api api = target.open(true)) {
            into = api.local() ? "the data directory " + target.directory() : "the server at " + api.baseUrl();
            if (target.route() != null) {
                System.err.println("ringmeter import: " + target.route());
            }
            final ProgressBar bar = ProgressBar.onTerminal("events", rows[0]);
            for (final Path file : files) {
                read(file, (line, json) -> {
                    batch.add(file, line, json);
                    if (batch.rows == batchSize) {
                        batch.send(api);
                        bar.update(batch.imported);
                    }
                });
            }
            batch.send(api);
            bar.update(batch.imported);
        }
        System.out.println("imported " + batch.imported + " events from " + files.size() + " file"
            + (files.size() == 1 ? "" : "s") + " into " + into);
        return RingmeterCommand.EXIT_OK;
    }

    private EventFile.Format format(final Path file) {
        switch (format.toLowerCase(Locale.ROOT)) {
            case "auto":
                return EventFile.Format.of(file);
            case "ndjson":
                return EventFile.Format.NDJSON;
            case "csv":
                return EventFile.Format.CSV;
            default:
                throw new CliException(RingmeterCommand.EXIT_USAGE, "--format must be auto, ndjson or csv, not '"
                    + format + "'");
        }
    }

    private void read(final Path file, final EventFile.RowHandler rows) {
        try {
            EventFile.read(file, format(file), rows);
        } catch (final IOException e) {
            throw new CliException(RingmeterCommand.EXIT_FAILED, "cannot read " + file + ": " + e.getMessage());
        }
    }

    /**
     * The rows on their way, as NDJSON, and where they came from. A batch the server finds too large (413: its
     * --max-batch or --max-body-bytes is below the batch size) recorded nothing, so it is sent again in halves, and
     * the rest of the import goes on at the size that passed.
     */
    private final class Batch {
        final ByteArrayOutputStream body = new ByteArrayOutputStream(1 << 20);
        final List<Integer> ends = new ArrayList<>();
        int rows;
        long imported;
        String first;
        String last;

        void add(final Path file, final long line, final String json) {
            if (rows == 0) {
                first = file + ":" + line;
            }
            last = file + ":" + line;
            final byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            body.write(bytes, 0, bytes.length);
            body.write('\n');
            ends.add(body.size());
            rows++;
        }

        void send(final Api api) {
            if (rows == 0) {
                return;
            }
            try {
                send(api, body.toByteArray(), 0, rows);
            } catch (final CliException e) {
                throw new CliException(e.exitCode(), e.getMessage() + ". Imported: " + imported + " events"
                    + "; the rows from " + first + " on (batch up to " + last + ") were not");
            }
            rows = 0;
            ends.clear();
            body.reset();
        }

        /** Sends rows [from, to) of the batch, in halves while the server finds them too many. */
        private void send(final Api api, final byte[] all, final int from, final int to) {
            final int start = from == 0 ? 0 : ends.get(from - 1);
            try {
                api.post("/api/v1/events", "application/x-ndjson",
                    java.util.Arrays.copyOfRange(all, start, ends.get(to - 1)));
                imported += to - from;
            } catch (final CliException e) {
                if (e.httpStatus() != 413 || to - from == 1) {
                    throw e;
                }
                final int half = from + (to - from) / 2;
                batchSize = Math.max(1, (to - from) / 2);
                send(api, all, from, half);
                send(api, all, half, to);
            }
        }
    }
}
