package dev.ringmeter.server.cli;

import dev.ringmeter.server.RingmeterServer;
import dev.ringmeter.server.ServerConfig;
import dev.ringmeter.server.ServerFile;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a command works on, the options every command that reads or writes data shares: a server ({@code --url},
 * {@code --token}) or a data directory ({@code --data}, by default {@code RINGMETER_DATA} or {@code ./data}, as for
 * {@code serve}). A directory is never opened twice: if a server holds it and answers at the address it wrote in
 * {@code <data>/server.json} ({@link ServerFile}), the command goes through that server; otherwise the command opens
 * the directory itself, behind a server of its own on a free loopback port (the {@code RINGMETER_*} variables apply
 * to it as to {@code serve}), and the directory lock refuses it if a server that cannot be reached holds it.
 * <p>
 * Threading: filled by picocli, then used by the command's one thread.
 */
final class Target {
    @Option(names = "--data", paramLabel = "DIR",
        description = "data directory (default: RINGMETER_DATA, else ./data); if a running server holds it, the "
            + "command goes through that server")
    Path data;

    @Option(names = "--url", paramLabel = "URL", description = "a running server instead, e.g. http://127.0.0.1:8080")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN",
        description = "bearer token of the server (default: RINGMETER_TOKEN)")
    String token;

    /** How a command reached its data, said on standard error when it is not plain. */
    private String route;

    /**
     * @return the server's config a command opening the directory itself would use: the flags and variables of
     * {@code serve}, on a free loopback port, without the background samplers and watches a query does not need.
     */
    ServerConfig localConfig() {
        final List<String> flags = new ArrayList<>(List.of("--port", "0", "--bind", "127.0.0.1",
            "--system-sample-ms", "0", "--alert-eval-ms", "0", "--anomaly-detection", "false"));
        if (data != null) {
            flags.add("--data");
            flags.add(data.toString());
        }
        try {
            return ServerConfig.parse(flags.toArray(new String[0]), System.getenv());
        } catch (final IllegalArgumentException e) {
            throw new CliException(RingmeterCommand.EXIT_USAGE, e.getMessage());
        }
    }

    /** @return the data directory the command works on, when it is not given a URL. */
    Path directory() {
        return localConfig().dataDirectory();
    }

    /**
     * @return the token given, else RINGMETER_TOKEN, else null.
     */
    private String token() {
        return token != null ? token : System.getenv("RINGMETER_TOKEN");
    }

    /**
     * @return the address of the server holding the directory, if one answers there; else null.
     */
    ServerFile.Address holder() {
        final ServerFile.Address address = ServerFile.read(directory());
        return address != null && Api.answers(address.url()) ? address : null;
    }

    /**
     * @param create whether a directory that does not exist yet is created (import) or refused (query).
     * @return the API of the server to use; close it when done.
     */
    Api open(final boolean create) {
        if (url != null) {
            if (data != null) {
                throw new CliException(RingmeterCommand.EXIT_USAGE, "give --url or --data, not both");
            }
            return new Api(url, token(), null);
        }
        final ServerConfig config = localConfig();
        final Path directory = config.dataDirectory();
        final ServerFile.Address holder = holder();
        if (holder != null) {
            route = "the data directory " + directory + " is held by the server at " + holder.url() + " (pid "
                + holder.pid() + "): going through it";
            return new Api(holder.url(), token != null ? token : config.token(), null);
        }
        if (!create && !Files.isDirectory(directory)) {
            throw new CliException(RingmeterCommand.EXIT_FAILED, "no data directory " + directory
                + "; give one with --data, or a server with --url");
        }
        quietLogs();
        try {
            final RingmeterServer server = RingmeterServer.start(config);
            return new Api("http://127.0.0.1:" + server.port(), config.token(), server);
        } catch (final IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().contains("in use by another store")) {
                throw new CliException(RingmeterCommand.EXIT_UNREACHABLE, e.getMessage() + ". It does not answer at"
                    + " an address in " + directory.resolve(ServerFile.FILE) + ": give its URL with --url (and "
                    + "--token), or stop it and run the command again");
            }
            throw new CliException(RingmeterCommand.EXIT_FAILED, "cannot open the data directory " + directory + ": "
                + e.getMessage());
        } catch (final RuntimeException e) {
            throw new CliException(RingmeterCommand.EXIT_FAILED, "cannot open the data directory " + directory + ": "
                + e.getMessage());
        }
    }

    /** @return how the command reached its data, if it went through a server holding the directory; else null. */
    String route() {
        return route;
    }

    /** A command's own server logs warnings only: its start and stop are not the user's business. */
    static void quietLogs() {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
    }
}
