package dev.ringmeter.server.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ringmeter report}: the report of a window or of a run (docs/reports.md), in Markdown or self-contained
 * HTML, the reply of {@code GET /api/v1/report} for the same parameters (its rules decide what is valid).
 * <p>
 * Threading: one call on the main thread.
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
    description = "A report of a window or a run (summary, models, verdicts, best configuration, anomalies, alerts,"
        + " cost) in Markdown or HTML.",
    footer = {"", "Examples:", "  ringmeter report --data ./data --window 24h > last-day.md",
        "  ringmeter report --url http://127.0.0.1:8080 --run eval-42 --compare eval-41 --format html -o eval-42.html"})
final class ReportCommand implements Callable<Integer> {
    @Mixin
    Target target = new Target();

    @Mixin
    Output output = new Output();

    @Option(names = "--window", paramLabel = "SPAN", description = "the last SPAN, e.g. 24h (default: the API's)")
    String window;

    @Option(names = "--from", paramLabel = "TIME", description = "start, ISO-8601 or epoch ms (with --to)")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "end, ISO-8601 or epoch ms")
    String to;

    @Option(names = "--run", paramLabel = "ID", description = "the report of one run")
    String run;

    @Option(names = "--compare", paramLabel = "ID", description = "with --run: the run to compare it with")
    String compare;

    @Option(names = "--format", paramLabel = "FORMAT", description = "md (default) or html")
    String format = "md";

    @Override
    public Integer call() {
        final Map<String, String> params = new LinkedHashMap<>();
        params.put("window", window);
        params.put("from", from);
        params.put("to", to);
        params.put("run", run);
        params.put("compare", compare);
        params.put("format", format);
        try (Api api = target.open(false)) {
            if (target.route() != null) {
                System.err.println("ringmeter report: " + target.route());
            }
            output.write(out -> api.download("/api/v1/report", params, out));
        }
        return RingmeterCommand.EXIT_OK;
    }
}
