package dev.ringmeter.core.journal;

import dev.ringmeter.core.EmbeddedStore;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data directory states its format in FORMAT: a fresh one gets the current format; one of a newer format, or
 * whose FORMAT file is not one, is refused with a message that says what was found and what to do, and is left as
 * it was. (LegacyDataTest: a directory of the previous format is upgraded.)
 */
@Timeout(60)
class FormatVersionTest {
    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    @Test
    void aFreshDirectoryGetsTheCurrentFormat() throws Exception {
        clock.update(RecordedEvents.T);
        EmbeddedStore.open(RecordedEvents.config(dir, clock)).close();
        assertEquals("ringmeter-data " + FormatVersion.DATA + "\n", Files.readString(dir.resolve("FORMAT")));
    }

    @Test
    void refusesADirectoryOfANewerFormatSayingWhatToDo() throws Exception {
        Files.writeString(dir.resolve("FORMAT"), "ringmeter-data " + (FormatVersion.DATA + 1) + "\n");
        final IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> EmbeddedStore.open(RecordedEvents.config(dir, clock)).close());
        assertTrue(e.getMessage().contains("written by a newer Ringmeter (data format " + (FormatVersion.DATA + 1)
            + "; this version reads formats 1 to " + FormatVersion.DATA + "): open it with the version that wrote it or a newer one"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertEquals("ringmeter-data " + (FormatVersion.DATA + 1) + "\n", Files.readString(dir.resolve("FORMAT")),
            "left as it was");
        assertFalse(Files.exists(dir.resolve("snapshot.bin")));
    }

    @Test
    void refusesAFormatFileThatIsNotOneNamingItAndTheLineItShouldHold() throws Exception {
        Files.write(dir.resolve("FORMAT"), new byte[] {'P', 'K', 3, 4, 0, (byte)0xFF, 'x'});
        final IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> EmbeddedStore.open(RecordedEvents.config(dir, clock)).close());
        assertTrue(e.getMessage().contains(dir.resolve("FORMAT").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("should read \"ringmeter-data <version>\""), e.getMessage());
        assertTrue(e.getMessage().contains(
            "replace the file's content with the line \"ringmeter-data " + FormatVersion.DATA + "\""),
            e.getMessage());
        Files.writeString(dir.resolve("FORMAT"), "ringmeter-data 0", StandardCharsets.UTF_8);
        final IllegalStateException zero = assertThrows(IllegalStateException.class,
            () -> EmbeddedStore.open(RecordedEvents.config(dir, clock)).close());
        assertTrue(zero.getMessage().contains("format 0, which no Ringmeter wrote"), zero.getMessage());
    }
}
