package dev.ringmeter.core.privacy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What free-text redaction replaces, and the ordinary numbers and words it leaves. */
@Timeout(10)
class RedactionTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "mail jane.doe@example.com now|mail [email] now",
        "a.b+tag@sub.example.co.uk|[email]",
        "card 4111 1111 1111 1111 refused|card [card] refused",
        "card 4111-1111-1111-1111|card [card]",
        "4111111111111111|[card]",
        "amex 378282246310005.|amex [card].",
        "call +1 415 555 0100|call [phone]",
        "call +44 20 7946 0958 now|call [phone] now",
        "(415) 555-0100|[phone]",
        "415-555-0100 or 415.555.0100|[phone] or [phone]",
        "x@y.io and 4111111111111111 and +33 1 23 45 67 89|[email] and [card] and [phone]",
    })
    void shouldRedact(final String text, final String expected) {
        assertEquals(expected, Redaction.redact(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"order 4111111111111112", "id 1234567890123", "2024-01-01", "20240101", "v1.2.3",
        "10.0.0.1", "took 12345 ms", "rate_limit", "HTTP 503", "1.5", "model gpt-4o-2024-08-06", "port 8080",
        "user@localhost"})
    void shouldLeaveOrdinaryText(final String text) {
        assertSame(text, Redaction.redact(text));
    }

    @Test
    void shouldCheckTheLuhnDigit() {
        assertTrue(Redaction.luhn("4111 1111 1111 1111"));
        assertFalse(Redaction.luhn("4111 1111 1111 1112"));
    }
}
