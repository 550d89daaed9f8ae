package dev.ringmeter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.journal.DataDirectoryCheck;
import dev.ringmeter.core.journal.DataDirectoryLock;
import dev.ringmeter.server.ServerFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ringmeter check}: verifies a data directory without opening a store and without changing it
 * ({@link DataDirectoryCheck}: FORMAT, snapshot, journal checksums and index), under its lock so no store writes it
 * meanwhile; lists each problem with its file, and exits with {@link RingmeterCommand#EXIT_FAILED} if there is one.
 * A directory a running server holds was checked by that server when it opened it: the command then asks the
 * server ({@code /ready}) instead, as it does for {@code --url}.
 * <p>
 * Threading: one call on the main thread.
 */
@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Verify a data directory (FORMAT, snapshot, journal checksums and index) and say what is wrong.",
    footer = {"", "Exit code 0: nothing wrong; 1: something is damaged (each problem names its file).", "",
        "Examples:", "  ringmeter check --data ./data", "  ringmeter check --url http://127.0.0.1:8080"})
final class CheckCommand implements Callable<Integer> {
    @Mixin
    Target target = new Target();

    @Override
    public Integer call() {
        if (target.url != null) {
            return askServer(target.open(false), null);
        }
        final Path directory = target.directory();
        if (!Files.isDirectory(directory)) {
            throw new CliException(RingmeterCommand.EXIT_FAILED, "no data directory " + directory);
        }
        final DataDirectoryLock lock;
        try {
            lock = DataDirectoryLock.acquire(directory);
        } catch (final IllegalStateException e) {
            final ServerFile.Address holder = target.holder();
            if (holder == null) {
                throw new CliException(RingmeterCommand.EXIT_UNREACHABLE, e.getMessage() + "; it does not answer at"
                    + " an address in " + directory.resolve(ServerFile.FILE) + ": stop it to check the directory, or"
                    + " give its URL with --url");
            }
            return askServer(target.open(false), "the data directory " + directory + " is held by the server at "
                + holder.url() + " (pid " + holder.pid() + "), which checked it when it opened it; stop the server to"
                + " check the files themselves");
        }
        final DataDirectoryCheck.Report report;
        try (lock) {
            report = DataDirectoryCheck.run(directory, new StoreConfig().dataDirectory(directory));
        }
        for (final DataDirectoryCheck.Finding f : report.findings()) {
            System.out.println((f.problem() ? "DAMAGED " : "note    ") + f.file() + ": "
                + f.what());
        }
        final long problems = report.findings().stream().filter(DataDirectoryCheck.Finding::problem).count();
        System.out.println("checked " + directory + ": " + report.cycleFiles() + " journal cycle files, "
            + report.documents() + " documents: " + (problems == 0 ? "OK" : problems + " problem"
            + (problems == 1 ? "" : "s")));
        return problems == 0 ? RingmeterCommand.EXIT_OK : RingmeterCommand.EXIT_FAILED;
    }

    private static int askServer(final Api api, final String note) {
        try (api) {
            if (note != null) {
                System.out.println(note);
            }
            final JsonNode ready;
            try {
                ready = api.get("/ready", Map.of());
            } catch (final CliException e) {
                System.out.println("the server at " + api.baseUrl() + " is not ready: " + e.getMessage());
                return RingmeterCommand.EXIT_FAILED;
            }
            System.out.println("the server at " + api.baseUrl() + " is ready: " + ready);
            return RingmeterCommand.EXIT_OK;
        }
    }
}
