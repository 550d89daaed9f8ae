package dev.ringmeter.core.query;

import dev.ringmeter.core.dictionary.Dimension;

import java.util.Objects;

/**
 * What the in-memory aggregates keep windows, series and totals of: a {@link Kind} and the name of one model,
 * pipeline, pipeline step (within its pipeline), tool or agent. An event counts in every subject it names: a model
 * call of step "retrieve" of pipeline "rag" in model {@code gpt-4o}, pipeline {@code rag} and step
 * {@code rag/retrieve}; a tool call that names no model in its tool, and in no model. "All models" means the model
 * calls only.
 * <p>
 * Threading: immutable; any thread.
 */
public final class Subject {
    /** The kinds of subject, each with the event field (and dictionary dimension) that names it. */
    public enum Kind {
        MODEL(Dimension.MODEL),
        PIPELINE(Dimension.PIPELINE),
        /** A step within its pipeline: the pair of a pipeline (or none) and a step. */
        STEP(Dimension.STEP),
        TOOL(Dimension.TOOL),
        AGENT(Dimension.AGENT);

        public static final Kind[] VALUES = values();

        private final Dimension dimension;

        Kind(final Dimension dimension) {
            this.dimension = dimension;
        }

        /** @return the dictionary dimension of the subject's name (of a step's step name). */
        public Dimension dimension() {
            return dimension;
        }

        /** @return the event field, and query parameter, that names such a subject. */
        public String field() {
            return dimension.field();
        }
    }

    private final Kind kind;
    private final String pipeline;
    private final String name;

    private Subject(final Kind kind, final String pipeline, final String name) {
        this.kind = kind;
        this.pipeline = pipeline;
        this.name = Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a subject's name must not be empty");
        }
    }

    /** @return the model's subject. */
    public static Subject model(final String model) {
        return new Subject(Kind.MODEL, null, model);
    }

    /** @return the pipeline's subject: every event that names it. */
    public static Subject pipeline(final String pipeline) {
        return new Subject(Kind.PIPELINE, null, pipeline);
    }

    /**
     * @param pipeline the step's pipeline, or null for a step that names no pipeline.
     * @param step     the step.
     * @return the pipeline step's subject: the events that name both (a step of no pipeline: that name none).
     */
    public static Subject step(final String pipeline, final String step) {
        return new Subject(Kind.STEP, pipeline == null || pipeline.isEmpty() ? null : pipeline, step);
    }

    /** @return the tool's subject ({@code gen_ai.tool.name}). */
    public static Subject tool(final String tool) {
        return new Subject(Kind.TOOL, null, tool);
    }

    /** @return the agent's subject ({@code gen_ai.agent.name}). */
    public static Subject agent(final String agent) {
        return new Subject(Kind.AGENT, null, agent);
    }

    /**
     * @param kind the kind.
     * @param pipeline for a step, its pipeline or null; ignored for other kinds.
     * @param name the name.
     * @return the subject.
     */
    public static Subject of(final Kind kind, final String pipeline, final String name) {
        return new Subject(kind, kind == Kind.STEP && pipeline != null && !pipeline.isEmpty() ? pipeline : null, name);
    }

    public Kind kind() {
        return kind;
    }

    /** @return the name: of the model, pipeline, tool or agent, or the step's. */
    public String name() {
        return name;
    }

    /** @return a step's pipeline, null for a step of no pipeline and for other kinds. */
    public String pipeline() {
        return pipeline;
    }

    /** @return e.g. {@code step rag/retrieve}, {@code tool web_search}. */
    @Override
    public String toString() {
        return kind.field() + ' ' + (pipeline != null ? pipeline + '/' : "") + name;
    }

    /** @return the name shown in results: a step as {@code pipeline/step} ({@code step} with no pipeline). */
    public String label() {
        return pipeline != null ? pipeline + '/' + name : name;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof Subject && ((Subject)o).kind == kind && Objects.equals(((Subject)o).pipeline, pipeline)
            && ((Subject)o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return (kind.hashCode() * 31 + Objects.hashCode(pipeline)) * 31 + name.hashCode();
    }
}
