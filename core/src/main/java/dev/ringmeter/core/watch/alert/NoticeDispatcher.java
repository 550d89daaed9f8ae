package dev.ringmeter.core.watch.alert;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Delivers notices to their targets over HTTP, at least once: each notice is POSTed ({@link NoticePayloads}) until
 * the target answers 2xx, then the {@link DeliveryListener} hears {@code delivered}. Connection errors, timeouts,
 * 408, 429 and 5xx are retried after an exponential backoff with jitter ({@link DeliverySettings#backoffMs}), or
 * after the Retry-After the target asked for (capped at the longest delay); any other status, or a delivery still
 * failing {@link DeliverySettings#maxAgeMs()} after its submission, is abandoned and the listener told why.
 * <p>
 * Order and isolation: each target has its own lane; a lane sends one notice at a time, in the order submitted, and
 * the next only once the one before is delivered or abandoned, so a resolved notice never overtakes its firing one.
 * Lanes do not wait for each other: requests are asynchronous and a failing target only delays its own lane.
 * <p>
 * Alertmanager: Alertmanager resolves an alert by itself once its {@code endsAt} passes, so a firing alert is posted
 * with {@code endsAt} {@link DeliverySettings#ALERTMANAGER_ENDS_AHEAD} re-post intervals ahead and, once delivered,
 * re-posted to that target every {@link DeliverySettings#alertmanagerRepostMs()} until the resolved notice for the
 * same alert (same rule id and start) is submitted; the resolved notice is posted with its real {@code endsAt}.
 * Re-posts are the dispatcher's own: one attempt each (the next interval tries again), never told to the listener,
 * counted by {@link #reposted}. Re-posting is kept in memory only: after a restart the alert engine must submit the
 * alerts still firing again, or Alertmanager resolves them when their {@code endsAt} passes.
 * <p>
 * Bounded: at most {@link DeliverySettings#maxPending()} submitted deliveries are held (queued, in flight or waiting
 * to retry); past it {@link #submit} throws {@link RejectedExecutionException}, counted by {@link #refused}, and
 * keeps nothing: the caller, which journaled the notice, submits it again later. Re-posted alerts are at most as
 * many again; one past that is not re-posted (counted by {@link #repostsDropped}) and Alertmanager resolves it at
 * its {@code endsAt}. Memory: the held notices (about 530 bytes each, measured by {@code NoticeFootprintReport})
 * and one lane per target among them, beside the HTTP client's fixed 3 MB.
 * <p>
 * Threading: {@link #submit}, the counters and {@link #close} may be called from any thread; they and the
 * deliveries' outcomes share one lock, held only to change the lanes (never across I/O). Requests run on
 * {@link HttpClient}'s asynchronous API with two daemon threads ({@value #HTTP_THREAD_NAME}); retries and re-posts
 * are timed by one daemon thread ({@value #TIMER_THREAD_NAME}). The threads and the client start with the first
 * notice, so a store that never alerts runs none of them. The listener is called on those threads, under the
 * lock (so it sees outcomes in order; it must not block and may call {@link #submit}). After {@link #close}
 * returns the listener is not called again; what was not delivered by then is neither delivered nor abandoned, and
 * the caller submits it again after a restart.
 */
public final class NoticeDispatcher implements NoticeSink, AutoCloseable {
    /** The timer thread's name. */
    public static final String TIMER_THREAD_NAME = "ringmeter-notice-timer";
    /** The HTTP threads' name. */
    public static final String HTTP_THREAD_NAME = "ringmeter-notice-http";
    /** How much of a refusing target's body an abandoned delivery's reason quotes. */
    static final int BODY_QUOTE_BYTES = 256;
    private static final long REPOST_ID = -1;
    private static final System.Logger LOG = System.getLogger(NoticeDispatcher.class.getName());

    private final DeliverySettings settings;
    private final DeliveryListener listener;
    /** Made with the first notice ({@link #started()}), so that a store with no alerts runs no delivery threads. */
    private ExecutorService httpThreads;
    private ScheduledExecutorService timer;
    private HttpClient http;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}, as are the lanes' fields. */
    private final Map<Target, Lane> lanes = new HashMap<>();
    private final int[] pendingByKind = new int[TargetKind.values().length];
    private int pending;
    private int reposts;
    private boolean closed;
    private final AtomicLongArray delivered = new AtomicLongArray(TargetKind.values().length);
    private final AtomicLongArray retried = new AtomicLongArray(TargetKind.values().length);
    private final AtomicLongArray abandoned = new AtomicLongArray(TargetKind.values().length);
    private final AtomicLongArray refused = new AtomicLongArray(TargetKind.values().length);
    private final AtomicLongArray reposted = new AtomicLongArray(TargetKind.values().length);
    private final AtomicLongArray repostsDropped = new AtomicLongArray(TargetKind.values().length);

    /**
     * @param settings timeouts, backoff and bounds.
     * @param listener told of each submitted delivery's outcome.
     */
    public NoticeDispatcher(final DeliverySettings settings, final DeliveryListener listener) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Starts the threads and the HTTP client with the first notice; the caller holds {@link #lock}. */
    private void started() {
        if (timer != null) {
            return;
        }
        final AtomicInteger n = new AtomicInteger();
        httpThreads = Executors.newFixedThreadPool(2, r -> daemon(r, HTTP_THREAD_NAME + "-" + n.incrementAndGet()));
        timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, TIMER_THREAD_NAME));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(settings.connectTimeoutMs()))
            .followRedirects(HttpClient.Redirect.NEVER).executor(httpThreads).build();
        final long tickMs = Math.max(1, settings.alertmanagerRepostMs() / 4);
        timer.scheduleWithFixedDelay(this::repostDue, tickMs, tickMs, TimeUnit.MILLISECONDS);
    }

    /**
     * @throws RejectedExecutionException when {@link DeliverySettings#maxPending()} deliveries are held (nothing is
     *                                    kept: submit it again later), or when closed.
     */
    @Override
    public void submit(final long deliveryId, final Notice notice, final Target target) {
        Objects.requireNonNull(notice, "notice");
        Objects.requireNonNull(target, "target");
        synchronized (lock) {
            if (closed) {
                throw new RejectedExecutionException("the notice dispatcher is closed");
            }
            if (pending >= settings.maxPending()) {
                refused.incrementAndGet(target.kind().ordinal());
                throw new RejectedExecutionException("notice " + deliveryId + " refused: " + pending
                    + " deliveries are pending, the most held (maxPending); submit it again later");
            }
            started();
            final Lane lane = lanes.computeIfAbsent(target, Lane::new);
            if (target.kind() == TargetKind.ALERTMANAGER && !notice.firing()) {
                if (lane.stopReposting(alertKey(notice))) {
                    reposts--;
                }
            }
            lane.queue.add(new Delivery(deliveryId, notice, System.nanoTime()));
            pending++;
            pendingByKind[target.kind().ordinal()]++;
            pump(lane);
        }
    }

    /** Re-posts an Alertmanager target's alert still firing from before a restart, from the next timer tick on. */
    @Override
    public void stillFiring(final Notice firing, final Target target) {
        if (target.kind() != TargetKind.ALERTMANAGER || !firing.firing()) {
            return;
        }
        synchronized (lock) {
            if (!closed) {
                started();
                startReposting(lanes.computeIfAbsent(target, Lane::new), firing,
                    System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(settings.alertmanagerRepostMs()));
            }
        }
    }

    /** @return submitted deliveries to targets of this kind that the target acknowledged. */
    public long delivered(final TargetKind kind) {
        return delivered.get(kind.ordinal());
    }

    /** @return retries scheduled for deliveries to targets of this kind. */
    public long retried(final TargetKind kind) {
        return retried.get(kind.ordinal());
    }

    /** @return deliveries to targets of this kind given up. */
    public long abandoned(final TargetKind kind) {
        return abandoned.get(kind.ordinal());
    }

    /** @return submissions refused because {@link DeliverySettings#maxPending()} were held. */
    public long refused(final TargetKind kind) {
        return refused.get(kind.ordinal());
    }

    /** @return firing alerts re-posted to Alertmanager (acknowledged re-posts). */
    public long reposted(final TargetKind kind) {
        return reposted.get(kind.ordinal());
    }

    /** @return firing alerts not re-posted because as many as {@link DeliverySettings#maxPending()} already were. */
    public long repostsDropped(final TargetKind kind) {
        return repostsDropped.get(kind.ordinal());
    }

    /** @return deliveries to targets of this kind held now. */
    public int pending(final TargetKind kind) {
        synchronized (lock) {
            return pendingByKind[kind.ordinal()];
        }
    }

    /** Stops: in-flight requests are cancelled, nothing more is sent or reported. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            for (final Lane lane : lanes.values()) {
                if (lane.inFlight != null) {
                    lane.inFlight.cancel(true);
                }
            }
            lanes.clear();
        }
        if (timer == null) {
            return;   // never started; closed is set under the lock, so it never will
        }
        timer.shutdownNow();
        httpThreads.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
            httpThreads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the lane's head if nothing of the lane is in flight or waiting. Under the lock. */
    private void pump(final Lane lane) {
        if (closed || lane.busy) {
            return;
        }
        final Delivery d = lane.queue.peek();
        if (d == null) {
            if (lane.reposts.isEmpty()) {
                lanes.remove(lane.target);
            }
            return;
        }
        lane.busy = true;
        attempt(lane, d);
    }

    /** Sends the lane's head once. Under the lock; the request itself is asynchronous. */
    private void attempt(final Lane lane, final Delivery d) {
        if (closed) {
            return;
        }
        d.attempts++;
        try {
            send(lane, d);
        } catch (final RuntimeException e) {   // a request the client will not make: retrying cannot help
            finish(lane, d, "cannot send to " + lane.target.url() + ": " + describe(e));
        }
    }

    private void send(final Lane lane, final Delivery d) {
        final long endsAhead = System.currentTimeMillis()
            + DeliverySettings.ALERTMANAGER_ENDS_AHEAD * settings.alertmanagerRepostMs();
        final HttpRequest request = HttpRequest.newBuilder(NoticePayloads.uri(lane.target))
            .timeout(Duration.ofMillis(settings.requestTimeoutMs()))
            .header("Content-Type", "application/json")
            .header("User-Agent", "ringmeter-notice-dispatcher")
            .POST(HttpRequest.BodyPublishers.ofString(
                NoticePayloads.body(d.notice, lane.target.kind(), endsAhead), StandardCharsets.UTF_8))
            .build();
        final CompletableFuture<HttpResponse<String>> f = http.sendAsync(request, NoticeDispatcher::quoteBody)
            .orTimeout(settings.connectTimeoutMs() + 2 * settings.requestTimeoutMs(), TimeUnit.MILLISECONDS);
        lane.inFlight = f;
        f.whenComplete((response, error) -> completed(lane, d, response, error));
    }

    private void completed(final Lane lane, final Delivery d, final HttpResponse<String> response,
                           final Throwable error) {
        synchronized (lock) {
            if (closed || lane.queue.peek() != d) {
                return;
            }
            lane.inFlight = null;
            if (error != null) {
                retry(lane, d, describe(error), -1);
                return;
            }
            final int status = response.statusCode();
            if (status >= 200 && status < 300) {
                finish(lane, d, null);
            } else if (status == 408 || status == 429 || status >= 500) {
                retry(lane, d, "HTTP " + status, retryAfterMs(response));
            } else {
                finish(lane, d, "HTTP " + status + " from " + NoticePayloads.uri(lane.target) + ": " + response.body());
            }
        }
    }

    /** Schedules the next attempt of the lane's head, or abandons it when it would pass the longest time. */
    private void retry(final Lane lane, final Delivery d, final String reason, final long retryAfterMs) {
        if (d.id == REPOST_ID) {
            finish(lane, d, reason);
            return;
        }
        final long delayMs = retryAfterMs >= 0 ? Math.min(retryAfterMs, settings.maxDelayMs())
            : settings.backoffMs(d.attempts, ThreadLocalRandom.current().nextDouble());
        final long ageMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - d.submittedNs);
        if (ageMs + delayMs > settings.maxAgeMs()) {
            finish(lane, d, "undelivered after " + d.attempts + " attempts in " + ageMs + " ms (longest "
                + settings.maxAgeMs() + " ms); last: " + reason);
            return;
        }
        retried.incrementAndGet(lane.target.kind().ordinal());
        timer.schedule(() -> {
            synchronized (lock) {
                if (lane.queue.peek() == d) {
                    attempt(lane, d);
                }
            }
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    /** Ends the lane's head: delivered when {@code failure} is null, else abandoned; then starts the next. */
    private void finish(final Lane lane, final Delivery d, final String failure) {
        lane.queue.poll();
        lane.busy = false;
        final int kind = lane.target.kind().ordinal();
        if (d.id == REPOST_ID) {
            final Repost r = lane.reposts.get(alertKey(d.notice));
            if (r != null) {
                r.queued = false;
            }
            if (failure == null) {
                reposted.incrementAndGet(kind);
            }
        } else {
            pending--;
            pendingByKind[kind]--;
            if (failure == null) {
                delivered.incrementAndGet(kind);
                if (lane.target.kind() == TargetKind.ALERTMANAGER && d.notice.firing()) {
                    startReposting(lane, d.notice, System.nanoTime());
                }
                tell(d.id, null);
            } else {
                abandoned.incrementAndGet(kind);
                tell(d.id, failure);
            }
        }
        pump(lane);
    }

    /** Tells the listener; a listener that throws is logged and does not stop the lane. */
    private void tell(final long id, final String failure) {
        try {
            if (failure == null) {
                listener.delivered(id);
            } else {
                listener.abandoned(id, failure);
            }
        } catch (final RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "the delivery listener failed on delivery " + id, e);
        }
    }

    /**
     * Keeps a delivered firing alert re-posted, unless its resolved notice is already queued behind it.
     *
     * @param postedNs when it was last posted ({@link System#nanoTime()}): the next re-post is an interval later.
     */
    private void startReposting(final Lane lane, final Notice firing, final long postedNs) {
        final String key = alertKey(firing);
        for (final Delivery queued : lane.queue) {
            if (!queued.notice.firing() && alertKey(queued.notice).equals(key)) {
                return;
            }
        }
        final Repost existing = lane.reposts.get(key);
        if (existing != null) {
            existing.notice = firing;
            existing.lastPostedNs = postedNs;
            return;
        }
        if (reposts >= settings.maxPending()) {
            repostsDropped.incrementAndGet(lane.target.kind().ordinal());
            return;
        }
        reposts++;
        lane.reposts.put(key, new Repost(firing, postedNs));
    }

    /** On the timer thread: queues a re-post of each firing alert whose interval has passed. */
    private void repostDue() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            final long now = System.nanoTime();
            final long intervalNs = TimeUnit.MILLISECONDS.toNanos(settings.alertmanagerRepostMs());
            for (final Lane lane : List.copyOf(lanes.values())) {
                for (final Repost r : lane.reposts.values()) {
                    if (!r.queued && now - r.lastPostedNs >= intervalNs) {
                        r.queued = true;
                        r.lastPostedNs = now;
                        lane.queue.add(new Delivery(REPOST_ID, r.notice, now));
                    }
                }
                pump(lane);
            }
        }
    }

    /** An alert's identity for re-posting: its rule and when it started (its severity may change while it fires). */
    private static String alertKey(final Notice n) {
        return n.ruleId() + '\u0000' + n.startsAtMs();
    }

    /** @return the wait a 408, 429 or 5xx asked for in Retry-After (seconds or an HTTP date), or -1. */
    public static long retryAfterMs(final HttpResponse<?> response) {
        final String value = response.headers().firstValue("Retry-After").orElse("").trim();
        if (value.isEmpty()) {
            return -1;
        }
        try {
            return Math.max(0, Long.parseLong(value)) * 1_000;
        } catch (final NumberFormatException notSeconds) {
            try {
                final long at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()
                    .toEpochMilli();
                return Math.max(0, at - System.currentTimeMillis());
            } catch (final RuntimeException notADate) {
                return -1;
            }
        }
    }

    private static String describe(final Throwable error) {
        final Throwable cause = error instanceof CompletionException && error.getCause() != null
            ? error.getCause() : error;
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    /** Keeps the first {@value #BODY_QUOTE_BYTES} bytes of a body (for a refusal's reason), drops the rest. */
    private static HttpResponse.BodySubscriber<String> quoteBody(final HttpResponse.ResponseInfo info) {
        final BodyQuote quote = new BodyQuote();
        return HttpResponse.BodySubscribers.fromSubscriber(quote, BodyQuote::text);
    }

    private static Thread daemon(final Runnable r, final String name) {
        final Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** One target's queue, in submission order. Guarded by the dispatcher's lock. */
    private static final class Lane {
        final Target target;
        final ArrayDeque<Delivery> queue = new ArrayDeque<>();
        final Map<String, Repost> reposts = new LinkedHashMap<>();
        boolean busy;
        CompletableFuture<?> inFlight;

        Lane(final Target target) {
            this.target = target;
        }

        /** @return whether the alert was being re-posted. */
        boolean stopReposting(final String key) {
            final boolean was = reposts.remove(key) != null;
            final Iterator<Delivery> it = queue.iterator();
            boolean head = true;
            while (it.hasNext()) {
                final Delivery d = it.next();
                if (!(head && busy) && d.id == REPOST_ID && alertKey(d.notice).equals(key)) {
                    it.remove();
                }
                head = false;
            }
            return was;
        }
    }

    /** One notice to one target. Guarded by the dispatcher's lock. */
    private static final class Delivery {
        final long id;
        final Notice notice;
        final long submittedNs;
        int attempts;

        Delivery(final long id, final Notice notice, final long submittedNs) {
            this.id = id;
            this.notice = notice;
            this.submittedNs = submittedNs;
        }
    }

    /** A delivered firing alert kept alive at an Alertmanager. Guarded by the dispatcher's lock. */
    private static final class Repost {
        Notice notice;
        long lastPostedNs;
        boolean queued;

        Repost(final Notice notice, final long lastPostedNs) {
            this.notice = notice;
            this.lastPostedNs = lastPostedNs;
        }
    }

    /** Collects at most {@value #BODY_QUOTE_BYTES} bytes of a body. Used by one exchange's HTTP thread. */
    private static final class BodyQuote implements Flow.Subscriber<List<ByteBuffer>> {
        private final byte[] bytes = new byte[BODY_QUOTE_BYTES];
        private int length;

        @Override
        public void onSubscribe(final Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(final List<ByteBuffer> buffers) {
            for (final ByteBuffer b : buffers) {
                final int n = Math.min(b.remaining(), bytes.length - length);
                b.get(bytes, length, n);
                length += n;
            }
        }

        @Override
        public void onError(final Throwable throwable) {
            // the exchange fails with this error; the quote is not used
        }

        @Override
        public void onComplete() {
            // text() reads what was kept
        }

        String text() {
            return new String(bytes, 0, length, StandardCharsets.UTF_8);
        }
    }
}
