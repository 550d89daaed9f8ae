package dev.ringmeter.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import dev.ringmeter.Event;
import dev.ringmeter.Status;

/**
 * A LangChain4j tool executor (AI services' tools) that records each execution as an {@code execute_tool} event of
 * the tool dimension: the tool's name, the latency, and status {@code error} with the error's type when the tool
 * throws (the exception is passed on) or its result is an error ({@code tool_error}).
 * <p>
 * It needs the {@code langchain4j} module (AI services), an optional dependency of this one.
 * <p>
 * Threading: as the wrapped executor; recording is per thread ({@link RingmeterLangChain4j}).
 */
public final class RingmeterToolExecutor implements ToolExecutor {
    private final String tool;
    private final ToolExecutor delegate;
    private final RingmeterLangChain4j ringmeter;

    /**
     * @param ringmeter where executions are recorded.
     * @param tool      the tool's name, the event's tool dimension.
     * @param executor  runs the tool.
     * @return the executor, recording each execution as an {@code execute_tool} event.
     */
    public static ToolExecutor wrap(final RingmeterLangChain4j ringmeter, final String tool,
                                    final ToolExecutor executor) {
        return new RingmeterToolExecutor(tool, executor, ringmeter);
    }

    private RingmeterToolExecutor(final String tool, final ToolExecutor delegate, final RingmeterLangChain4j ringmeter) {
        if (tool == null || tool.isBlank() || delegate == null) {
            throw new IllegalArgumentException("a tool needs a name and an executor");
        }
        this.tool = tool;
        this.delegate = delegate;
        this.ringmeter = ringmeter;
    }

    /** Runs through {@link #executeWithContext}, as LangChain4j's own executor does, so an error result is seen. */
    @Override
    public String execute(final ToolExecutionRequest request, final Object memoryId) {
        return executeWithContext(request, InvocationContext.builder().chatMemoryId(memoryId).build()).resultText();
    }

    @Override
    public ToolExecutionResult executeWithContext(final ToolExecutionRequest request,
                                                  final InvocationContext context) {
        final long startMs = System.currentTimeMillis();
        final long startNs = System.nanoTime();
        try {
            final ToolExecutionResult result = delegate.executeWithContext(request, context);
            recordOutcome(startMs, startNs, null, result != null && result.isError());
            return result;
        } catch (final RuntimeException e) {
            recordOutcome(startMs, startNs, e, false);
            throw e;
        }
    }

    private void recordOutcome(final long startMs, final long startNs, final Throwable error,
                               final boolean errorResult) {
        final long latencyNs = System.nanoTime() - startNs;
        ringmeter.record((event, thrown) -> {
            event.operation("execute_tool").tool(tool).timestampMs(startMs).latencyNs(latencyNs);
            if (thrown != null) {
                RingmeterLangChain4j.failure(thrown, event);
            } else if (errorResult) {
                event.status(Status.ERROR).errorType("tool_error");
            }
        }, error);
    }
}
