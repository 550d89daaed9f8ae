package dev.ringmeter;

import dev.ringmeter.wire.FieldNames;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cached and cache-write tokens are counted inside prompt tokens, reasoning tokens inside completion tokens. */
class EventTokenPartsTest {
    private static Event call() {
        return new Event().model("m").latencyMs(1);
    }

    @Test
    void shouldTakePartsThatFitInsideTheirCount() {
        final Event e = call().promptTokens(100).cachedTokens(60).cacheWriteTokens(40).completionTokens(50)
            .reasoningTokens(50);
        e.validate();
        assertEquals(60, e.cachedTokens());
        assertEquals(40, e.cacheWriteTokens());
        assertEquals(50, e.reasoningTokens());
        call().cachedTokens(5).reasoningTokens(5).validate();   // no count to fit inside: taken as they are
    }

    @Test
    void shouldRefusePartsLargerThanTheirCountNamingTheField() {
        final InvalidEventException cached = assertThrows(InvalidEventException.class,
            () -> call().promptTokens(100).cachedTokens(70).cacheWriteTokens(31).validate());
        assertEquals(FieldNames.CACHED_TOKENS, cached.field());
        assertTrue(cached.getMessage().contains("101"), cached.getMessage());
        final InvalidEventException reasoning = assertThrows(InvalidEventException.class,
            () -> call().completionTokens(10).reasoningTokens(11).validate());
        assertEquals(FieldNames.REASONING_TOKENS, reasoning.field());
        assertEquals(FieldNames.CACHED_TOKENS, assertThrows(InvalidEventException.class,
            () -> call().cachedTokens(-1)).field());
        assertEquals(FieldNames.REASONING_TOKENS, assertThrows(InvalidEventException.class,
            () -> call().reasoningTokens(Event.MAX_TOKENS + 1)).field());
    }

    @Test
    void shouldClearTheNewFieldsOnReset() {
        final Event e = call().provider("openai").tool("search").agent("planner").cachedTokens(1).cacheWriteTokens(1)
            .reasoningTokens(1).reset();
        assertEquals(null, e.provider());
        assertEquals(null, e.tool());
        assertEquals(null, e.agent());
        assertEquals(Event.NONE, e.cachedTokens());
        assertEquals(Event.NONE, e.cacheWriteTokens());
        assertEquals(Event.NONE, e.reasoningTokens());
    }
}
