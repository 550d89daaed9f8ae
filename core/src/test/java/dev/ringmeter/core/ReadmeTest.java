package dev.ringmeter.core;

import dev.ringmeter.examples.embedded.QuickStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class ReadmeTest {
    @Test
    void shouldShowTheCompiledQuickStartExampleVerbatim() throws Exception {
        final String source = Files.readString(Path.of("src/examples/java/dev/ringmeter/examples/embedded/QuickStart.java"));
        final String block = source.substring(source.indexOf("// README:begin\n") + "// README:begin\n".length(),
            source.indexOf("        // README:end"));
        final String dedented = block.lines()
            .map(line -> line.startsWith("        ") ? line.substring(8) : line)
            .collect(Collectors.joining("\n"));
        final String readme = Files.readString(Path.of("../README.md"));
        assertTrue(readme.contains(dedented.strip()), "README.md shows QuickStart.java's example as it compiles");
    }
}
