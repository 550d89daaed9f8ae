package dev.ringmeter.server.query;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.query.Subject;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.QueryParams;
import dev.ringmeter.wire.FieldNames;

/**
 * The one reading of a query's subject from its parameters: {@code model=}, {@code pipeline=} (with or without a
 * step), the step ({@code step=} on /analytics, {@code pipelineStep=} on /series, whose {@code step=} is the width
 * of its points), {@code tool=} or {@code agent=}. A query answers from memory when it names one subject.
 * <p>
 * Threading: stateless.
 */
final class Subjects {
    /** The reply's {@code source} when the in-memory aggregates answered. */
    static final String MEMORY = "memory";
    /** The reply's {@code source} when a journal scan answered. */
    static final String JOURNAL = "journal";
    /** The parameter of /series that names a pipeline step ({@code step} there is the width of a point). */
    static final String SERIES_STEP = "pipelineStep";

    private Subjects() {
    }

    /**
     * @param q the query's parameters, with the pipeline step as {@code step=}.
     * @return the one subject they name, a model's included; null if they name none (all models), more than one, or
     * a step without its pipeline.
     */
    static Subject of(final QueryParams q) {
        return of(q, FieldNames.STEP);
    }

    /**
     * @param q         the query's parameters.
     * @param stepParam the parameter that names a pipeline step.
     * @return the one subject they name; null if they name none, more than one, or a step without its pipeline.
     */
    static Subject of(final QueryParams q, final String stepParam) {
        final String model = q.get(FieldNames.MODEL);
        final String pipeline = q.get(FieldNames.PIPELINE);
        final String step = q.get(stepParam);
        final String tool = q.get(FieldNames.TOOL);
        final String agent = q.get(FieldNames.AGENT);
        final int named = (model != null ? 1 : 0) + (pipeline != null || step != null ? 1 : 0) + (tool != null ? 1 : 0)
            + (agent != null ? 1 : 0);
        if (named != 1 || step != null && pipeline == null) {
            return null;   // a step named without its pipeline means that step in every pipeline: a scan's answer
        }
        return model != null ? Subject.model(model) : step != null ? Subject.step(pipeline, step)
            : pipeline != null ? Subject.pipeline(pipeline) : tool != null ? Subject.tool(tool) : Subject.agent(agent);
    }

    /**
     * @param q         the query's parameters.
     * @param stepParam the parameter that names a pipeline step.
     * @return whether they name any subject.
     */
    static boolean any(final QueryParams q, final String stepParam) {
        return q.get(FieldNames.MODEL) != null || q.get(FieldNames.PIPELINE) != null || q.get(stepParam) != null
            || q.get(FieldNames.TOOL) != null || q.get(FieldNames.AGENT) != null;
    }

    /**
     * @throws ApiException 404 naming the subject's field if the store has no aggregates of it.
     */
    static void known(final EmbeddedStore store, final Subject subject) {
        if (subject.kind() == Subject.Kind.MODEL) {
            QueryController.knownModel(store, subject.name(), FieldNames.MODEL);
            return;
        }
        final int max = store.config().maxStringLength();
        final boolean seen = subject.name().length() <= max
            && (subject.pipeline() == null || subject.pipeline().length() <= max)
            && store.aggregates().subjects(subject.kind()).contains(subject);
        if (!seen) {
            final String field = subject.kind() == Subject.Kind.STEP && subject.pipeline() != null
                && store.dictionary().find(Dimension.PIPELINE, subject.pipeline()) == 0
                ? FieldNames.PIPELINE : subject.kind().field();
            throw ApiException.notFound(field, "no events of " + subject.kind().field() + " '"
                + QueryController.truncate(subject.label()) + "' in memory");
        }
    }
}
