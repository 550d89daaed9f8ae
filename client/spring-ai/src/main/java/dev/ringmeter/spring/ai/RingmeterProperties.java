package dev.ringmeter.spring.ai;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code ringmeter.*} properties of a Spring Boot service that records its Spring AI calls into Ringmeter.
 * <p>
 * Threading: bound once at start by Spring, read afterwards.
 */
@ConfigurationProperties(prefix = RingmeterProperties.PREFIX)
public class RingmeterProperties {
    /** The prefix of the properties. */
    public static final String PREFIX = "ringmeter";

    /**
     * Whether Spring AI's chat, embedding and tool calls are recorded into Ringmeter.
     */
    private boolean enabled = true;

    /**
     * Where the calls are recorded: a Ringmeter server (http://host:port, options as query parameters), or with
     * ringmeter-core on the classpath an embedded store (file:./data or mem:). Required unless the application
     * defines its own dev.ringmeter.EventRecorder bean.
     */
    private String url;

    /**
     * The bearer token of the Ringmeter server, when it runs with --token.
     */
    private String token;

    /** @return whether the calls are recorded. */
    public boolean isEnabled() {
        return enabled;
    }

    /** @param enabled whether the calls are recorded. */
    public void setEnabled(final boolean enabled) {
        this.enabled = enabled;
    }

    /** @return the recorder URI, or null. */
    public String getUrl() {
        return url;
    }

    /** @param url the recorder URI. */
    public void setUrl(final String url) {
        this.url = url;
    }

    /** @return the server's bearer token, or null. */
    public String getToken() {
        return token;
    }

    /** @param token the server's bearer token. */
    public void setToken(final String token) {
        this.token = token;
    }
}
