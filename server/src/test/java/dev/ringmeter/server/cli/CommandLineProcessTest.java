package dev.ringmeter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringmeter.core.test.ChildJvm;
import dev.ringmeter.server.Main;
import dev.ringmeter.server.ServerFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command of the command line run as a real process ({@code java -cp ... Main ...}), checked by its exit code
 * and output: help, serve with the old flags, import then query on a data directory, bad rows refused whole, check
 * on a good and a damaged directory, and a directory held by a running server reached through that server.
 */
@Tag("slow")
@Timeout(300)
class CommandLineProcessTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private Run run(final String... args) throws IOException, InterruptedException {
        return run(Map.of(), args);
    }

    private Run run(final Map<String, String> env, final String... args) throws IOException, InterruptedException {
        final Path out = Files.createTempFile(dir, "out", ".txt");
        final Path err = Files.createTempFile(dir, "err", ".txt");
        final ProcessBuilder pb = new ProcessBuilder(ChildJvm.command(Main.class, args)).directory(dir.toFile())
            .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("RINGMETER_"));
        pb.environment().putAll(env);
        final Process child = pb.start();
        try {
            if (!child.waitFor(120, TimeUnit.SECONDS)) {
                throw new AssertionError("the command did not end within 120 s: " + String.join(" ", args));
            }
        } finally {
            child.destroyForcibly();
        }
        return new Run(child.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    }

    private Path ndjson(final String name, final String model, final int count, final long nowMs) throws IOException {
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < count; i++) {
            b.append("{\"model\":\"").append(model).append("\",\"timestamp\":").append(nowMs - 60_000 + i)
                .append(",\"latencyMs\":").append(10 + i).append(",\"status\":\"").append(i % 4 == 0 ? "error" : "ok")
                .append("\"}\n");
        }
        return Files.writeString(dir.resolve(name), b.toString());
    }

    private static long count(final Run query, final String model) throws IOException {
        assertEquals(0, query.exit(), query.all());
        for (final JsonNode w : MAPPER.readTree(query.out()).path("models")) {
            if (w.path("model").asText().equals(model)) {
                return w.path("count").asLong();
            }
        }
        final JsonNode root = MAPPER.readTree(query.out());
        return root.path("model").asText().equals(model) ? root.path("count").asLong() : 0;
    }

    @Test
    void shouldPrintTheHelpOfEveryCommand() throws Exception {
        final Run top = run("--help");
        assertEquals(0, top.exit(), top.all());
        for (final String command : List.of("serve", "query", "import", "check", "report", "export")) {
            assertTrue(top.out().contains("  " + command + " "), top.out());
        }
        assertTrue(top.out().contains("--retention-hours") && top.out().contains("RINGMETER_MAX_BATCH"),
            "the top help still lists every flag of the server: " + top.out());
        for (final String command : List.of("query", "import", "check", "report", "export")) {
            final Run help = run(command, "--help");
            assertEquals(0, help.exit(), help.all());
            assertTrue(help.out().startsWith("Usage: ringmeter " + command), help.out());
            assertTrue(help.out().contains("--data") && help.out().contains("--url"), help.out());
        }
        final Run serve = run("serve", "--help");
        assertEquals(0, serve.exit(), serve.all());
        assertTrue(serve.out().contains("--snapshot-interval-ms") && serve.out().contains("RINGMETER_PORT"));
        final Run bad = run("query", "--no-such-option");
        assertEquals(2, bad.exit(), bad.all());
        assertTrue(bad.err().contains("--no-such-option"), bad.err());
        final Run badServe = run("--no-such-option");
        assertEquals(2, badServe.exit(), badServe.all());
        assertTrue(badServe.err().contains("unknown option '--no-such-option'"), badServe.err());
    }

    @Test
    void shouldImportNdjsonAndCsvAndQueryTheRowsFromTheDirectory() throws Exception {
        final long now = System.currentTimeMillis();
        final Path events = ndjson("events.ndjson", "gpt-4o", 200, now);
        final Path csv = Files.writeString(dir.resolve("calls.csv"), "model,timestamp,latencyMs,status,tags.team,"
            + "quality.score\n"
            + "claude-3,\"" + java.time.Instant.ofEpochMilli(now - 5_000) + "\",120,ok,search,0.9\n"
            + "claude-3," + (now - 4_000) + ",80,error,,\n"
            + "\"claude-3\"," + (now - 3_000) + ",100.5,ok,\"a, b\",1\n");
        final Path data = dir.resolve("data");
        final Run imported = run("import", "--data", data.toString(), events.toString(), csv.toString());
        assertEquals(0, imported.exit(), imported.all());
        assertTrue(imported.out().contains("imported 203 events from 2 files"), imported.out());
        assertFalse(imported.out().contains("\r"), "no progress bar when the output is not a terminal");

        final Run json = run("query", "--data", data.toString(), "--window", "1h", "--format", "json");
        assertEquals(200, count(json, "gpt-4o"));
        assertEquals(3, count(json, "claude-3"));
        final Run one = run("query", "--data", data.toString(), "--model", "claude-3", "--window", "1h",
            "--format", "json");
        assertEquals(1, MAPPER.readTree(one.out()).path("errorCount").asLong(), one.all());

        final Run table = run("query", "--data", data.toString(), "--window", "1h", "--metrics", "count,errorCount");
        assertEquals(0, table.exit(), table.all());
        assertTrue(table.out().lines().anyMatch(l -> l.matches("gpt-4o\\s+200\\s+50")), table.out());
        assertTrue(table.out().lines().anyMatch(l -> l.matches("claude-3\\s+3\\s+1")), table.out());

        final Run unknown = run("query", "--data", data.toString(), "--window", "1h", "--metrics", "count,speed");
        assertEquals(2, unknown.exit(), unknown.all());
        assertTrue(unknown.err().contains("'speed' is not a field of the reply"), unknown.err());

        final Run grouped = run("query", "--data", data.toString(), "--window", "1h", "--group-by", "tag:team",
            "--format", "json");
        assertEquals(0, grouped.exit(), grouped.all());
        assertTrue(grouped.out().contains("\"a, b\""), "a quoted CSV cell keeps its comma: " + grouped.out());

        final Run markdown = run("report", "--data", data.toString(), "--window", "1h");
        assertEquals(0, markdown.exit(), markdown.all());
        assertTrue(markdown.out().startsWith("# "), markdown.out());
        assertTrue(markdown.out().lines().anyMatch(l -> l.startsWith("| gpt-4o ") && l.contains("| 200 |")),
            "the per-model table: " + markdown.out());
        final Path html = dir.resolve("report.html");
        final Run written = run("report", "--data", data.toString(), "--window", "1h", "--format", "html", "-o",
            html.toString());
        assertEquals(0, written.exit(), written.all());
        assertTrue(Files.readString(html).contains("<svg"), "a self-contained HTML report with its charts");
        assertFalse(Files.exists(dir.resolve("report.html.partial")));
        final Path csvOut = dir.resolve("export.csv");
        final Run exported = run("export", "--data", data.toString(), "--window", "1h", "--format", "csv",
            "--where", "model=claude-3", "-o", csvOut.toString());
        assertEquals(0, exported.exit(), exported.all());
        final List<String> lines = Files.readAllLines(csvOut);
        assertTrue(lines.get(0).startsWith("timestamp,model,"), lines.get(0));
        assertEquals(3, lines.stream().filter(l -> l.contains(",claude-3,")).count(), String.join("\n", lines));
        assertTrue(lines.get(lines.size() - 1).startsWith("# {\"export\":{\"rows\":3,"), "the trailer: " + lines);
        final Run ndjson = run("export", "--data", data.toString(), "--window", "1h", "--where", "model=gpt-4o");
        assertEquals(0, ndjson.exit(), ndjson.all());
        final List<String> rows = ndjson.out().lines().toList();
        assertEquals(201, rows.size(), "200 rows and the trailer on standard output, nothing else");
        assertEquals(200, MAPPER.readTree(rows.get(200)).get("export").get("rows").asLong());
        final Run badFormat = run("report", "--data", data.toString(), "--format", "pdf");
        assertEquals(1, badFormat.exit(), badFormat.all());
        assertTrue(badFormat.err().contains("format"), badFormat.err());
    }

    @Test
    void shouldReportEveryBadRowWithItsLineAndImportNothing() throws Exception {
        final long now = System.currentTimeMillis();
        final Path data = dir.resolve("data");
        assertEquals(0, run("import", "--data", data.toString(), ndjson("good.ndjson", "gpt-4o", 10, now).toString())
            .exit());
        final Path bad = Files.writeString(dir.resolve("bad.ndjson"),
            "{\"model\":\"gpt-4o\",\"timestamp\":" + (now - 1000) + ",\"latencyMs\":5}\n"
                + "\n"
                + "{\"model\":\"gpt-4o\",\"latencyMs\":\"slow\"}\n"
                + "{\"model\":\"gpt-4o\",\"timestamp\":" + (now - 1000) + ",\"latencyMs\":6}\n"
                + "{\"model\":\"gpt-4o\",\"colour\":\"red\"}\n"
                + "{not json\n");
        final Path badCsv = Files.writeString(dir.resolve("bad.csv"), "model,latencyMs\ngpt-4o,7\n,8\n");
        final Run refused = run("import", "--data", data.toString(), bad.toString(), badCsv.toString());
        assertEquals(1, refused.exit(), refused.all());
        assertTrue(refused.err().contains("bad.ndjson:3: ") && refused.err().contains("latencyMs"), refused.err());
        assertTrue(refused.err().contains("bad.ndjson:5: ") && refused.err().contains("colour"), refused.err());
        assertTrue(refused.err().contains("bad.ndjson:6: malformed JSON") && refused.err().contains("(column 2)"),
            refused.err());
        assertTrue(refused.err().contains("bad.csv:3: ") && refused.err().contains("model"), refused.err());
        assertFalse(refused.err().contains("bad.ndjson:1:") || refused.err().contains("bad.ndjson:4:")
            || refused.err().contains("bad.csv:2:"), refused.err());
        assertTrue(refused.err().contains("4 of 7 rows refused; nothing imported"), refused.err());

        final Run after = run("query", "--data", data.toString(), "--window", "1h", "--format", "json");
        assertEquals(10, count(after, "gpt-4o"), "the good rows of the refused files were not imported either");
    }

    @Test
    void shouldCheckAGoodDirectoryAndNameTheDamagedFile() throws Exception {
        final long now = System.currentTimeMillis();
        final Path data = dir.resolve("data");
        assertEquals(0, run("import", "--data", data.toString(),
            ndjson("a.ndjson", "gpt-4o", 50, now).toString()).exit());
        assertEquals(0, run("import", "--data", data.toString(),
            ndjson("b.ndjson", "model-to-damage", 5, now).toString()).exit());
        assertEquals(0, run("import", "--data", data.toString(),
            ndjson("c.ndjson", "gpt-4o-mini", 50, now).toString()).exit());
        final Run good = run("check", "--data", data.toString());
        assertEquals(0, good.exit(), good.all());
        assertTrue(good.out().contains(": OK"), good.out());

        final Path cycle;
        try (Stream<Path> files = Files.list(data.resolve("journal"))) {
            cycle = files.filter(f -> f.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        final byte[] bytes = Files.readAllBytes(cycle);
        final int at = indexOf(bytes, "model-to-damage".getBytes(StandardCharsets.US_ASCII));
        assertTrue(at > 0, "the journal holds the model's name");
        try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
            f.seek(at);
            f.write("MODEL-TO-DAMAGE".getBytes(StandardCharsets.US_ASCII));
        }
        final byte[] snapshot = Files.readAllBytes(data.resolve("snapshot.bin"));
        Files.write(data.resolve("snapshot.bin"), java.util.Arrays.copyOf(snapshot, snapshot.length / 2));
        final Run damaged = run("check", "--data", data.toString());
        assertEquals(1, damaged.exit(), damaged.all());
        assertTrue(damaged.out().contains("DAMAGED " + cycle), damaged.out());
        assertTrue(damaged.out().contains("DAMAGED " + data.resolve("snapshot.bin")), damaged.out());
        assertTrue(damaged.out().contains("2 problems"), damaged.out());
        assertEquals(Files.size(cycle), bytes.length, "check changes nothing");
        assertFalse(Files.exists(data.resolve("journal-damaged")), "check salvages nothing");
    }

    private static int indexOf(final byte[] haystack, final byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void shouldServeWithTheOldFlagsAndReachAHeldDirectoryThroughItsServer() throws Exception {
        final long now = System.currentTimeMillis();
        final Path data = dir.resolve("data");
        final ProcessBuilder pb = new ProcessBuilder(ChildJvm.command(Main.class, "--port", "0", "--data",
            data.toString(), "--retention-hours", "48", "--max-batch", "500")).redirectErrorStream(true);
        pb.environment().put("RINGMETER_SYSTEM_SAMPLE_MS", "0");
        final Process server = pb.start();
        try {
            final BufferedReader log = new BufferedReader(new InputStreamReader(server.getInputStream(),
                StandardCharsets.UTF_8));
            String line;
            boolean ready = false;
            while (!ready && (line = log.readLine()) != null) {
                ready = line.contains("event=ready");
                assertFalse(line.contains("event=starting") && !line.contains("retentionHours=48"), line);
            }
            assertTrue(ready, "the server starts with the flags it always took");
            final Thread drain = new Thread(() -> log.lines().forEach(l -> { }));
            drain.setDaemon(true);
            drain.start();
            final ServerFile.Address address = ServerFile.read(data);
            assertNotNull(address, "the server says where it listens");
            assertEquals(server.pid(), address.pid());

            final Run imported = run("import", "--data", data.toString(),
                ndjson("e.ndjson", "gpt-4o", 1_200, now).toString());
            assertEquals(0, imported.exit(), imported.all());
            assertTrue(imported.err().contains("held by the server at " + address.url()), imported.err());
            assertTrue(imported.out().contains("into the server at " + address.url()), imported.out());

            final Run viaDirectory = run("query", "--data", data.toString(), "--window", "1h", "--format", "json");
            assertEquals(1_200, count(viaDirectory, "gpt-4o"));
            final Run viaUrl = run("query", "--url", address.url(), "--window", "1h", "--format", "json");
            assertEquals(1_200, count(viaUrl, "gpt-4o"));
            final Run check = run("check", "--data", data.toString());
            assertEquals(0, check.exit(), check.all());
            assertTrue(check.out().contains("is held by the server at " + address.url()), check.out());
        } finally {
            server.destroyForcibly();   // SIGKILL: server.json stays behind, nobody listens there
            assertTrue(server.waitFor(60, TimeUnit.SECONDS));
        }
        assertTrue(Files.exists(data.resolve(ServerFile.FILE)));
        final Run afterKill = run("query", "--data", data.toString(), "--window", "1h", "--format", "json");
        assertEquals(1_200, count(afterKill, "gpt-4o"), "a stale server.json is passed over; the events are there");
    }

    @Test
    void shouldSayWhatToDoWhenTheServerHoldingTheDirectoryCannotBeReached() throws Exception {
        final Path data = dir.resolve("data");
        final ProcessBuilder pb = new ProcessBuilder(ChildJvm.command(Main.class, "--port", "0", "--data",
            data.toString())).redirectErrorStream(true);
        final Process server = pb.start();
        try {
            final BufferedReader log = new BufferedReader(new InputStreamReader(server.getInputStream(),
                StandardCharsets.UTF_8));
            String line;
            while ((line = log.readLine()) != null && !line.contains("event=ready")) {
                assertTrue(server.isAlive());
            }
            final Thread drain = new Thread(() -> log.lines().forEach(l -> { }));
            drain.setDaemon(true);
            drain.start();
            Files.writeString(data.resolve(ServerFile.FILE), "{\"url\":\"http://127.0.0.1:1\",\"pid\":1}");
            final Run query = run("query", "--data", data.toString());
            assertEquals(3, query.exit(), query.all());
            assertTrue(query.err().contains("in use by another store") && query.err().contains("--url"), query.err());
            final Run check = run("check", "--data", data.toString());
            assertEquals(3, check.exit(), check.all());
        } finally {
            server.destroy();
            assertTrue(server.waitFor(60, TimeUnit.SECONDS));
        }
    }
}
