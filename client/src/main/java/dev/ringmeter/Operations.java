package dev.ringmeter;

import java.util.Set;

/**
 * Which events are model calls: the one place of the rule that {@code model} is required only for them. The
 * operation names are the OpenTelemetry GenAI semantic conventions' {@code gen_ai.operation.name} values, with the
 * older spellings this API documented before them.
 * <ul>
 * <li>Model calls: {@code chat}, {@code text_completion} (and {@code completion}), {@code generate_content},
 * {@code embeddings} (and {@code embedding}), and an event that gives no operation at all.</li>
 * <li>Anything else is not a model call, e.g. {@code execute_tool} (and {@code tool_call}), {@code invoke_agent},
 * {@code create_agent}, {@code pipeline_step}, {@code task}, {@code workflow}: such an event may name a model (an
 * agent step that called one) and need not.</li>
 * </ul>
 * An event counts in the model's aggregates ("all models") only when it names a model; a pipeline step, tool call or
 * agent step counts in its pipeline's, step's, tool's and agent's.
 * <p>
 * Threading: stateless; any thread. Allocates nothing.
 */
public final class Operations {
    /** The operations that are model calls, as {@code gen_ai.operation.name} spells them, and older spellings. */
    public static final Set<String> MODEL_CALLS =
        Set.of("chat", "text_completion", "completion", "generate_content", "embeddings", "embedding");

    private Operations() {
    }

    /**
     * @param operation an event's operation, or null if it gives none.
     * @return whether an event of that operation is a model call, which must name its model.
     */
    public static boolean isModelCall(final String operation) {
        return operation == null || operation.isEmpty() || MODEL_CALLS.contains(operation);
    }

    /**
     * @param operation an event's operation, or null if it gives none.
     * @return what a refusal of such an event without a model says after "model ".
     */
    static String modelRequired(final String operation) {
        return operation == null || operation.isEmpty()
            ? "is required for a model call (an event with no operation is one); an event that is not a model call"
                + " names its operation, e.g. execute_tool, invoke_agent, pipeline_step, task"
            : "is required for a model call (operation '" + operation + "'; chat, text_completion, "
                + "generate_content and embeddings are model calls)";
    }
}
