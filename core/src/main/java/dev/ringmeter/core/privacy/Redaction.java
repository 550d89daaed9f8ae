package dev.ringmeter.core.privacy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one rule of what is redacted in free text: e-mail addresses become {@value #EMAIL}, card numbers (13 to 19
 * digits, single spaces or dashes between groups, passing the Luhn check) {@value #CARD}, and phone numbers (a
 * {@code +} and 7 to 15 digits, or 9 to 15 digits in at least three groups separated by spaces, dashes, dots or
 * parentheses) {@value #PHONE}. A run of digits that is not a valid card number and not grouped like a phone
 * number (an id, a count, a date as 20240101) stays as it is.
 * <p>
 * Stateless; any thread. {@link #redact} allocates (a matcher); {@link Anonymizer} caches its results.
 */
public final class Redaction {
    /** What an e-mail address becomes. */
    public static final String EMAIL = "[email]";
    /** What a card number becomes. */
    public static final String CARD = "[card]";
    /** What a phone number becomes. */
    public static final String PHONE = "[phone]";

    private static final Pattern EMAIL_PATTERN =
        Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");
    private static final Pattern CARD_PATTERN = Pattern.compile("(?<!\\d)(?<!\\d\\.)\\d(?:[ -]?\\d){12,18}(?!\\d)(?!\\.\\d)");
    private static final Pattern PHONE_PATTERN = Pattern.compile(
        "(?<![\\w+])(?:\\+\\d(?:[ .()-]{0,2}\\d){6,14}|\\(?\\d{2,5}\\)?(?:[ .-]{1,2}\\(?\\d{2,5}\\)?){2,4})(?![\\w])");

    private Redaction() {
    }

    /**
     * @param text free text.
     * @return the text with its e-mail addresses, card numbers and phone numbers replaced; the same instance when
     * there is none.
     */
    public static String redact(final String text) {
        String out = replace(EMAIL_PATTERN, text, EMAIL, false);
        out = replace(CARD_PATTERN, out, CARD, true);
        return replace(PHONE_PATTERN, out, PHONE, false);
    }

    private static String replace(final Pattern pattern, final String text, final String with, final boolean luhn) {
        final Matcher m = pattern.matcher(text);
        StringBuilder b = null;
        int last = 0;
        while (m.find()) {
            if (luhn && !luhn(m.group())) {
                continue;
            }
            if (pattern == PHONE_PATTERN && digits(m.group()) < (m.group().charAt(0) == '+' ? 7 : 9)) {
                continue;
            }
            if (b == null) {
                b = new StringBuilder(text.length());
            }
            b.append(text, last, m.start()).append(with);
            last = m.end();
        }
        return b == null ? text : b.append(text, last, text.length()).toString();
    }

    private static int digits(final String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i))) {
                n++;
            }
        }
        return n;
    }

    /**
     * @param number digits, with separators that are skipped.
     * @return whether its digits pass the Luhn check (the check digit of card numbers).
     */
    static boolean luhn(final String number) {
        int sum = 0;
        boolean twice = false;
        for (int i = number.length() - 1; i >= 0; i--) {
            final char c = number.charAt(i);
            if (c < '0' || c > '9') {
                continue;
            }
            int d = c - '0';
            if (twice) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            twice = !twice;
        }
        return sum % 10 == 0;
    }
}
