package dev.ringmeter.core.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.MappedBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A document's checksum read straight from a mapped file is the one read through the bytes, for runs of every
 * length and alignment, and across the boundary of the file's mapped chunks.
 */
@Timeout(60)
class ChecksumReadTest {
    @TempDir
    Path dir;

    @Test
    void aChecksumReadFromTheMappingIsTheOneReadThroughTheBytes() throws Exception {
        final byte[] content = new byte[3 << 16];
        new SplittableRandom(7).nextBytes(content);
        final Path file = dir.resolve("bytes");
        Files.write(file, content);
        final Bytes<byte[]> heap = Bytes.wrapForRead(content);
        // chunks of 64 KiB overlapping by 64 KiB: runs near a chunk's end are mapped from the next one
        try (MappedBytes mapped = MappedBytes.mappedBytes(file.toFile(), 1 << 16, 1 << 16, true)) {
            final SplittableRandom random = new SplittableRandom(11);
            for (int i = 0; i < 2_000; i++) {
                final long from = random.nextInt(content.length - 1);
                final long to = from + random.nextInt(Math.min(40_000, (int)(content.length - from)) + 1);
                assertEquals(JournalDescriptor.checksum(heap, from, to), JournalDescriptor.checksum(mapped, from, to),
                    "the checksum of [" + from + ", " + to + ")");
            }
        }
    }
}
