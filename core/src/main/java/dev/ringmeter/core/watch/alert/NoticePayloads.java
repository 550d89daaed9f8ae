package dev.ringmeter.core.watch.alert;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The body and the address of a notice for each {@link TargetKind}: the generic webhook object, a Slack incoming
 * webhook message and an Alertmanager v2 alert list (docs/alerts.md, "Notifications", shows each). Every body
 * carries the notice's dedup key.
 * <p>
 * Threading: static methods without state; any thread. Each call allocates the body it returns.
 */
public final class NoticePayloads {
    /** The {@code version} field of the webhook payload; raised when a field changes meaning or goes away. */
    public static final String WEBHOOK_VERSION = "1";
    /** The path appended to an Alertmanager target's base URL. */
    public static final String ALERTMANAGER_PATH = "/api/v2/alerts";
    /** Slack cuts a header's text at this many characters. */
    static final int SLACK_HEADER_MAX = 150;

    private NoticePayloads() {
    }

    /**
     * @param target where the notice goes.
     * @return the URL to POST to: the target's URL, or for Alertmanager its base with {@value #ALERTMANAGER_PATH}.
     */
    public static URI uri(final Target target) {
        if (target.kind() != TargetKind.ALERTMANAGER) {
            return URI.create(target.url());
        }
        final String base = target.url();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + ALERTMANAGER_PATH);
    }

    /**
     * @param notice         what to say.
     * @param kind           the payload's shape.
     * @param firingEndsAtMs for Alertmanager, the {@code endsAt} of a firing alert (a time ahead of now that the
     *                       dispatcher re-posts before); ignored otherwise.
     * @return the JSON body.
     */
    public static String body(final Notice notice, final TargetKind kind, final long firingEndsAtMs) {
        return switch (kind) {
            case WEBHOOK -> webhook(notice);
            case SLACK -> slack(notice);
            case ALERTMANAGER -> alertmanager(notice, firingEndsAtMs);
        };
    }

    /** @return the generic webhook object. */
    public static String webhook(final Notice n) {
        final StringBuilder b = new StringBuilder(512);
        b.append("{\"version\":");
        JsonText.string(b, WEBHOOK_VERSION).append(",\"dedupKey\":");
        JsonText.string(b, n.dedupKey()).append(",\"status\":");
        JsonText.string(b, status(n)).append(",\"severity\":");
        JsonText.string(b, n.severity().label()).append(",\"rule\":{\"id\":");
        JsonText.string(b, n.ruleId()).append(",\"name\":");
        JsonText.string(b, n.ruleName()).append("},\"labels\":");
        object(b, n.labels()).append(",\"summary\":");
        JsonText.string(b, n.summary()).append(",\"value\":");
        JsonText.number(b, n.value()).append(",\"threshold\":");
        JsonText.number(b, n.threshold()).append(",\"startsAt\":");
        JsonText.time(b, n.startsAtMs()).append(",\"endsAt\":");
        JsonText.time(b, n.firing() ? 0 : n.endsAtMs()).append(",\"generatorUrl\":");
        return JsonText.string(b, n.generatorUrl()).append('}').toString();
    }

    /** @return a Slack incoming-webhook message: a {@code text} fallback and {@code blocks}. */
    public static String slack(final Notice n) {
        final String head = (n.firing() ? "FIRING " + n.severity().label() : "RESOLVED") + ": " + n.ruleName();
        final StringBuilder fields = new StringBuilder();
        final StringBuilder b = new StringBuilder(1024);
        b.append("{\"text\":");
        JsonText.string(b, slackEscape(head + " - " + n.summary() + " (dedup key " + n.dedupKey() + ")"));
        b.append(",\"blocks\":[{\"type\":\"header\",\"text\":{\"type\":\"plain_text\",\"text\":");
        JsonText.string(b,
            head.length() > SLACK_HEADER_MAX ? head.substring(0, SLACK_HEADER_MAX - 1) + "\u2026" : head);
        b.append("}},{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":");
        JsonText.string(b, slackEscape(n.summary()));
        b.append("},\"fields\":[");
        field(b, "Value", number(n.value())).append(',');
        field(b, "Threshold", number(n.threshold())).append(',');
        field(b, "Started", JsonText.rfc3339(n.startsAtMs()));
        if (!n.firing() && n.endsAtMs() > 0) {
            field(b.append(','), "Resolved", JsonText.rfc3339(n.endsAtMs()));
        }
        b.append("]}");
        for (final Map.Entry<String, String> e : n.labels().entrySet()) {
            fields.append(fields.length() == 0 ? "" : "  ").append(e.getKey()).append('=').append(e.getValue());
        }
        b.append(",{\"type\":\"context\",\"elements\":[{\"type\":\"mrkdwn\",\"text\":");
        JsonText.string(b, slackEscape((fields.length() == 0 ? "" : fields + "  |  ") + "dedup key " + n.dedupKey()));
        b.append("}]}");
        if (!n.generatorUrl().isEmpty()) {
            b.append(",{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":");
            JsonText.string(b, "<" + slackEscape(n.generatorUrl()) + "|Open in Ringmeter>").append("}}");
        }
        return b.append("]}").toString();
    }

    /**
     * @return Alertmanager's {@code postableAlerts}: an array of one alert. A firing alert's {@code endsAt} is
     *         {@code firingEndsAtMs}; a resolved one's the notice's end.
     */
    public static String alertmanager(final Notice n, final long firingEndsAtMs) {
        final StringBuilder b = new StringBuilder(512);
        b.append("[{\"labels\":");
        object(b, alertmanagerLabels(n)).append(",\"annotations\":{\"summary\":");
        JsonText.string(b, n.summary()).append(",\"value\":");
        JsonText.string(b, number(n.value())).append(",\"threshold\":");
        JsonText.string(b, number(n.threshold())).append(",\"dedup_key\":");
        JsonText.string(b, n.dedupKey()).append("},\"startsAt\":");
        JsonText.time(b, n.startsAtMs()).append(",\"endsAt\":");
        JsonText.time(b, n.firing() ? firingEndsAtMs : n.endsAtMs());
        if (!n.generatorUrl().isEmpty()) {
            JsonText.string(b.append(",\"generatorURL\":"), n.generatorUrl());
        }
        return b.append("}]").toString();
    }

    /**
     * The labels Alertmanager identifies, groups and routes the alert by: the notice's labels (names sanitised to
     * {@code [a-zA-Z_][a-zA-Z0-9_]*}, empty values left out, as Alertmanager drops them), then {@code alertname}
     * (the rule's name), {@code rule_id} and {@code severity}, which win over a notice label of the same name.
     *
     * @return the labels in that order.
     */
    public static Map<String, String> alertmanagerLabels(final Notice n) {
        final Map<String, String> labels = new LinkedHashMap<>();
        for (final Map.Entry<String, String> e : n.labels().entrySet()) {
            if (e.getValue() != null && !e.getValue().isEmpty()) {
                labels.put(labelName(e.getKey()), e.getValue());
            }
        }
        labels.put("alertname", n.ruleName());
        labels.put("rule_id", n.ruleId());
        labels.put("severity", n.severity().label());
        return labels;
    }

    /** @return {@code name}, each character outside {@code [a-zA-Z0-9_]} made {@code _}, not led by a digit. */
    static String labelName(final String name) {
        final StringBuilder b = new StringBuilder(name.length() + 1);
        if (name.isEmpty() || name.charAt(0) >= '0' && name.charAt(0) <= '9') {
            b.append('_');
        }
        for (int i = 0; i < name.length(); i++) {
            final char c = name.charAt(i);
            final boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
            b.append(ok ? c : '_');
        }
        return b.toString();
    }

    private static String status(final Notice n) {
        return n.firing() ? "firing" : "resolved";
    }

    private static String number(final double v) {
        return Double.isNaN(v) ? "n/a" : JsonText.number(new StringBuilder(), v).toString();
    }

    private static StringBuilder object(final StringBuilder b, final Map<String, String> map) {
        b.append('{');
        boolean first = true;
        for (final Map.Entry<String, String> e : map.entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            JsonText.string(b, e.getKey()).append(':');
            JsonText.string(b, e.getValue() == null ? "" : e.getValue());
        }
        return b.append('}');
    }

    private static StringBuilder field(final StringBuilder b, final String name, final String value) {
        b.append("{\"type\":\"mrkdwn\",\"text\":");
        return JsonText.string(b, "*" + name + "*\n" + slackEscape(value)).append('}');
    }

    /** Slack's mrkdwn needs {@code &}, {@code <} and {@code >} escaped as HTML entities. */
    private static String slackEscape(final String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
