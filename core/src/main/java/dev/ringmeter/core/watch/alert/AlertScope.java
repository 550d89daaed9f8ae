package dev.ringmeter.core.watch.alert;

import dev.ringmeter.core.query.Subject;

import java.util.Objects;

/**
 * What an alert rule watches: all model calls, one subject (a model, pipeline, pipeline step, tool or agent), or one
 * configuration value ({@code config} field of events). Written as text in the API and the journal:
 * {@code all}, {@code model:gpt-4o}, {@code pipeline:rag}, {@code step:rag/retrieve}, {@code tool:web_search},
 * {@code agent:planner}, {@code config:temp-0.2}.
 * <p>
 * Threading: an immutable value; any thread.
 *
 * @param kind    which of the three.
 * @param subject for {@link Kind#SUBJECT}, the subject; null otherwise.
 * @param config  for {@link Kind#CONFIG}, the configuration value; null otherwise.
 */
public record AlertScope(Kind kind, Subject subject, String config) {
    /** The longest name in a scope, chars. */
    public static final int MAX_NAME_LENGTH = 256;
    /** The scope of every model call. */
    public static final AlertScope ALL = new AlertScope(Kind.ALL, null, null);

    /** The kinds of scope. */
    public enum Kind {
        /** Every model call (the all-models windows). */
        ALL,
        /** One subject's windows. */
        SUBJECT,
        /** The events of one configuration value, from the in-memory comparisons. */
        CONFIG
    }

    public AlertScope {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.SUBJECT) != (subject != null) || (kind == Kind.CONFIG) != (config != null)) {
            throw new IllegalArgumentException("scope: a " + kind + " scope with the wrong parts");
        }
    }

    /**
     * @param text as in the class comment.
     * @return the scope.
     * @throws IllegalArgumentException naming the field {@code scope} and the accepted forms.
     */
    public static AlertScope parse(final String text) {
        if (text == null || text.isEmpty() || text.equals("all")) {
            return ALL;
        }
        final int colon = text.indexOf(':');
        final String name = colon < 0 ? "" : text.substring(colon + 1);
        if (colon < 0 || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("scope must be all, model:NAME, pipeline:NAME, step:PIPELINE/STEP, "
                + "tool:NAME, agent:NAME or config:VALUE (a name of 1 to " + MAX_NAME_LENGTH + " chars): " + text);
        }
        switch (text.substring(0, colon)) {
            case "model":
                return new AlertScope(Kind.SUBJECT, Subject.model(name), null);
            case "pipeline":
                return new AlertScope(Kind.SUBJECT, Subject.pipeline(name), null);
            case "step": {
                final int slash = name.lastIndexOf('/');
                if (slash == name.length() - 1) {
                    throw new IllegalArgumentException("scope: a step needs a name after the '/': " + text);
                }
                return new AlertScope(Kind.SUBJECT, slash < 0 ? Subject.step(null, name)
                    : Subject.step(name.substring(0, slash), name.substring(slash + 1)), null);
            }
            case "tool":
                return new AlertScope(Kind.SUBJECT, Subject.tool(name), null);
            case "agent":
                return new AlertScope(Kind.SUBJECT, Subject.agent(name), null);
            case "config":
                return new AlertScope(Kind.CONFIG, null, name);
            default:
                throw new IllegalArgumentException("scope must be all, model:, pipeline:, step:, tool:, agent: or "
                    + "config:, not " + text.substring(0, colon) + ":");
        }
    }

    /** @return the text form {@link #parse} reads. */
    @Override
    public String toString() {
        switch (kind) {
            case ALL:
                return "all";
            case CONFIG:
                return "config:" + config;
            default:
                return subject.kind().name().toLowerCase(java.util.Locale.ROOT) + ':' + subject.label();
        }
    }
}
