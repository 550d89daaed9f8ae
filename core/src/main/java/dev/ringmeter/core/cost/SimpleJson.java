package dev.ringmeter.core.cost;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader of one JSON document into maps, lists, strings, doubles, booleans and null: what
 * {@link BuiltInPrices} needs to read its resource without a JSON library in the core. Not for untrusted input
 * (the server reads requests with Jackson).
 * <p>
 * Threading: one instance per document; not thread-safe.
 */
final class SimpleJson {
    private final String text;
    private int at;

    SimpleJson(final String text) {
        this.text = text;
    }

    /** @return the document's value; the whole text must be one value. */
    Object value() {
        final Object v = next();
        space();
        if (at != text.length()) {
            throw error("text after the value");
        }
        return v;
    }

    private Object next() {
        space();
        if (at >= text.length()) {
            throw error("the text ends");
        }
        final char c = text.charAt(at);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return word("true", Boolean.TRUE);
            case 'f':
                return word("false", Boolean.FALSE);
            case 'n':
                return word("null", null);
            default:
                return number();
        }
    }

    private Map<String, Object> object() {
        final Map<String, Object> map = new LinkedHashMap<>();
        at++;
        space();
        if (peek() == '}') {
            at++;
            return map;
        }
        while (true) {
            space();
            final String key = string();
            space();
            expect(':');
            if (map.put(key, next()) != null) {
                throw error("the key " + key + " twice");
            }
            space();
            if (peek() == ',') {
                at++;
            } else {
                expect('}');
                return map;
            }
        }
    }

    private List<Object> array() {
        final List<Object> list = new ArrayList<>();
        at++;
        space();
        if (peek() == ']') {
            at++;
            return list;
        }
        while (true) {
            list.add(next());
            space();
            if (peek() == ',') {
                at++;
            } else {
                expect(']');
                return list;
            }
        }
    }

    private String string() {
        expect('"');
        final StringBuilder b = new StringBuilder();
        while (true) {
            if (at >= text.length()) {
                throw error("a string does not end");
            }
            final char c = text.charAt(at++);
            if (c == '"') {
                return b.toString();
            }
            if (c == '\\') {
                final char e = text.charAt(at++);
                switch (e) {
                    case 'n':
                        b.append('\n');
                        break;
                    case 't':
                        b.append('\t');
                        break;
                    case 'u':
                        b.append((char)Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                        break;
                    default:
                        b.append(e);
                }
            } else {
                b.append(c);
            }
        }
    }

    private Double number() {
        final int start = at;
        while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
        if (start == at) {
            throw error("an unexpected character");
        }
        return Double.valueOf(text.substring(start, at));
    }

    private Object word(final String word, final Object value) {
        if (!text.startsWith(word, at)) {
            throw error("an unexpected word");
        }
        at += word.length();
        return value;
    }

    private void space() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
    }

    private char peek() {
        return at < text.length() ? text.charAt(at) : 0;
    }

    private void expect(final char c) {
        if (peek() != c) {
            throw error("'" + c + "' expected");
        }
        at++;
    }

    private IllegalArgumentException error(final String what) {
        return new IllegalArgumentException("JSON: " + what + " at offset " + at);
    }
}
