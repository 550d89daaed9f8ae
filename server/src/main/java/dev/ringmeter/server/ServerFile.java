package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code <data>/server.json}: where the server holding a data directory listens, so that a command given the
 * directory goes through that server instead of opening the directory a second time (its {@code lock} forbids
 * that). Written once the store is open, as {@code {"url": "http://127.0.0.1:8080", "pid": 1234}}; removed at a
 * clean stop. A killed server leaves it behind: a reader then finds nobody listening, and the lock, which the
 * operating system dropped with the process, is free.
 * <p>
 * Threading: written and removed by the thread that starts and closes the server; read by any process.
 */
public final class ServerFile {
    public static final String FILE = "server.json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * Where a running server listens.
     *
     * @param url its base URL, without a trailing slash.
     * @param pid its process.
     */
    public record Address(String url, long pid) {
    }

    private ServerFile() {
    }

    /**
     * @param dataDirectory the server's.
     * @param bind          the address it binds; a wildcard one is reached on loopback.
     * @param port          the port it listens on.
     */
    static void write(final Path dataDirectory, final String bind, final int port) {
        final String host = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1"
            : bind.contains(":") ? "[" + bind + "]" : bind;
        final Path tmp = dataDirectory.resolve(FILE + ".tmp");
        try {
            Files.writeString(tmp, MAPPER.createObjectNode().put("url", "http://" + host + ":" + port)
                .put("pid", ProcessHandle.current().pid()).toString() + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, dataDirectory.resolve(FILE), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write " + dataDirectory.resolve(FILE), e);
        }
    }

    /**
     * Removes the file if there; a failure is logged, not thrown, so that the store still closes (a reader of a
     * stale file finds nobody listening).
     *
     * @param dataDirectory the server's.
     */
    static void remove(final Path dataDirectory) {
        try {
            Files.deleteIfExists(dataDirectory.resolve(FILE));
        } catch (final IOException e) {
            System.getLogger(ServerFile.class.getName()).log(System.Logger.Level.WARNING, "cannot remove "
                + dataDirectory.resolve(FILE) + ": " + e);
        }
    }

    /**
     * @param dataDirectory a data directory.
     * @return where the server that wrote its file listens, or null if there is no file or it is unreadable.
     */
    public static Address read(final Path dataDirectory) {
        try {
            final JsonNode json = MAPPER.readTree(Files.readString(dataDirectory.resolve(FILE),
                StandardCharsets.UTF_8));
            final JsonNode url = json == null ? null : json.get("url");
            return url == null || !url.isTextual() ? null : new Address(url.asText(), json.path("pid").asLong(-1));
        } catch (final NoSuchFileException e) {
            return null;
        } catch (final IOException e) {
            return null;   // half written or damaged: as if absent, the lock still protects the directory
        }
    }
}
