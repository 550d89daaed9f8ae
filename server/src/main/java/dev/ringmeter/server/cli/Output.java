package dev.ringmeter.server.cli;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The {@code --output FILE} option of the commands that write a document (report, export), as a picocli mixin:
 * standard output without it; with it, the document is written next to the file and moved over it once whole, so
 * a broken transfer never leaves a partial file where a complete one is expected.
 * <p>
 * Threading: one command on the main thread.
 */
final class Output {
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write to FILE (default: standard output)")
    Path file;

    /** Writes something to the output. */
    @FunctionalInterface
    interface Writer {
        long write(OutputStream out);
    }

    /**
     * @param writer writes the document.
     * @return the bytes written.
     */
    long write(final Writer writer) {
        if (file == null) {
            final long n = writer.write(System.out);
            System.out.flush();
            return n;
        }
        final Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try {
            final long n;
            try (OutputStream out = Files.newOutputStream(partial)) {
                n = writer.write(out);
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return n;
        } catch (final IOException e) {
            throw new CliException(RingmeterCommand.EXIT_FAILED, "cannot write " + file + ": " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (final IOException ignored) {
                // best effort: the message above says what failed
            }
        }
    }
}
