package dev.ringmeter.core.test;

import dev.ringmeter.core.watch.GpuQuery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A stand-in {@code nvidia-smi}: a shell script that prints {@link #OUTPUT} when asked the system sampler's query
 * ({@link GpuQuery#ARGUMENTS}) and exits with 2 when asked anything else.
 * <p>
 * Threading: stateless; any thread.
 */
public final class StandInNvidiaSmi {
    /** What it prints: GPU 1 has no utilisation or power ("[N/A]"), and one line is not CSV. */
    public static final String OUTPUT = "0, 45, 1024, 81920, 60, 250.5\n"
        + "1, [N/A], 2048, 81920, 70, [N/A]\n"
        + "NVIDIA-SMI has failed\n";

    private StandInNvidiaSmi() {
    }

    /**
     * @param dir where to write it.
     * @return its path.
     * @throws IOException if it cannot be written.
     */
    public static Path write(final Path dir) throws IOException {
        final Path script = dir.resolve("nvidia-smi");
        Files.writeString(script, "#!/bin/sh\n"
            + "[ \"$1\" = \"" + GpuQuery.ARGUMENTS.get(0) + "\" ] && [ \"$2\" = \"" + GpuQuery.ARGUMENTS.get(1)
            + "\" ] || exit 2\n"
            + "printf '" + OUTPUT.replace("\n", "\\n") + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
