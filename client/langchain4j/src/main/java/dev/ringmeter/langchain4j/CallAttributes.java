package dev.ringmeter.langchain4j;

/**
 * Keys of LangChain4j listener attributes that {@link RingmeterChatModelListener} reads into a call's event, so one
 * call can carry its run, pipeline step or tags:
 * <pre>{@code
 * model.chat(request, ChatRequestOptions.builder()
 *     .addListenerAttribute(CallAttributes.RUN, "nightly-42")
 *     .addListenerAttribute(CallAttributes.TAG_PREFIX + "tenant", "acme")
 *     .build());
 * }</pre>
 * A value is read with {@code toString()}; a key the event cannot hold (a fifth tag) fails the event, which is then
 * counted in {@link RingmeterLangChain4j#failedEvents()}.
 * <p>
 * Threading: constants only.
 */
public final class CallAttributes {
    /** The run the call belongs to. */
    public static final String RUN = "ringmeter.run";
    /** The pipeline the call belongs to. */
    public static final String PIPELINE = "ringmeter.pipeline";
    /** The pipeline step the call belongs to. */
    public static final String STEP = "ringmeter.step";
    /** The task the call belongs to. */
    public static final String TASK = "ringmeter.task";
    /** The configuration the call ran under. */
    public static final String CONFIG = "ringmeter.config";
    /** The agent that made the call. */
    public static final String AGENT = "ringmeter.agent";
    /** A key {@code ringmeter.tag.NAME} gives the event the tag {@code NAME}. */
    public static final String TAG_PREFIX = "ringmeter.tag.";

    private CallAttributes() {
    }
}
