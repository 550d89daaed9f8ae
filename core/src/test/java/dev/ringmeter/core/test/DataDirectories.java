package dev.ringmeter.core.test;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Copies of a store's data directory for tests that open what a crash would leave. Shared by the core and server
 * tests through the core's test-jar.
 */
public final class DataDirectories {
    private DataDirectories() {
    }

    /**
     * Copies a data directory, perhaps while a store writes it, leaving out the snapshot's temporary file (which
     * the snapshot thread may rename away at any moment).
     *
     * @param from the data directory.
     * @param to   where the copy goes; created.
     * @return to.
     * @throws IOException if a copy fails.
     */
    public static Path copy(final Path from, final Path to) throws IOException {
        Files.createDirectories(to);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(from)) {
            for (final Path p : entries) {
                final Path target = to.resolve(p.getFileName().toString());
                if (Files.isDirectory(p)) {
                    copy(p, target);
                } else if (!p.getFileName().toString().endsWith(".tmp")) {
                    try {
                        Files.copy(p, target);
                    } catch (final NoSuchFileException e) {
                        // a snapshot's temporary file renamed meanwhile
                    }
                }
            }
        }
        return to;
    }
}
