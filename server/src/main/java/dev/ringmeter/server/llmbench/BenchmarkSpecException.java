package dev.ringmeter.server.llmbench;

/**
 * A benchmark specification that breaks a rule: {@link #field()} names the field (a JSON path such as
 * {@code load.concurrency[2]} or {@code targets[0].baseUrl}) and the message says what is wrong with it.
 * Immutable; thrown by {@link BenchmarkSpec.Builder#build()}, {@link BenchmarkSpec#fromJson(String)} and, for a
 * prompts file that cannot be read, by {@link LlmBenchmark#start}.
 */
public final class BenchmarkSpecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * @param field   the field at fault, as a JSON path.
     * @param problem what is wrong with it.
     */
    public BenchmarkSpecException(final String field, final String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    /** @return the field at fault, as a JSON path. */
    public String field() {
        return field;
    }
}
