package dev.keysource.vault.internal;

import dev.keysource.spi.PlainHttpProbe;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Caps the size of every response body the Vault driver reads. The driver reads each body whole into a
 * string ({@code BodyHandlers.ofString()}), so a server that answers 200 with an endless chunked body
 * would grow the heap until {@code OutOfMemoryError}. The session hands the driver a client that wraps each
 * body handler in a counting subscriber: past {@link #MAX_BYTES} it cancels the body (closing the
 * connection) and fails the request with {@link TooLarge}, which {@link VaultErrors} reports as a
 * misconfiguration, not retried.
 *
 * <p>Why {@value #MAX_BYTES} bytes: Vault's integrated storage refuses entries over 1 MiB by default
 * ({@code max_entry_size}), and Consul's limit is 512 KiB, so a KV secret, its metadata and its JSON
 * escaping fit with room to spare; a login or a mount lookup is a few hundred bytes.
 */
final class BoundedBody {

    /** The largest response body read from Vault: 4 MiB. */
    static final long MAX_BYTES = 4L * 1024 * 1024;

    private BoundedBody() {
    }

    /** The answer was larger than the cap; the body was cancelled. Holds no byte of it. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;
        final long limit;

        TooLarge(long limit) {
            super("the response body is larger than " + limit + " bytes", null);
            this.limit = limit;
        }
    }

    /** {@code http}, with every body capped at {@code limit} bytes. */
    static HttpClient client(HttpClient http, long limit) {
        return new Client(http, limit);
    }

    static <T> BodyHandler<T> handler(BodyHandler<T> handler, long limit) {
        return info -> new Counting<>(handler.apply(info), limit);
    }

    /** Passes buffers on until more than {@code limit} bytes have arrived, then cancels and fails. */
    static final class Counting<T> implements BodySubscriber<T> {
        private final BodySubscriber<T> next;
        private final long limit;
        private long seen;
        private Flow.Subscription subscription;
        private boolean failed;

        Counting(BodySubscriber<T> next, long limit) {
            this.next = next;
            this.limit = limit;
        }

        @Override
        public CompletionStage<T> getBody() {
            return next.getBody();
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.subscription = s;
            next.onSubscribe(s);
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            if (failed) {
                return;
            }
            for (ByteBuffer b : item) {
                seen += b.remaining();
            }
            if (seen > limit) {
                failed = true;
                subscription.cancel();
                next.onError(new TooLarge(limit));
                return;
            }
            next.onNext(item);
        }

        @Override
        public void onError(Throwable t) {
            if (!failed) {
                next.onError(t);
            }
        }

        @Override
        public void onComplete() {
            if (!failed) {
                next.onComplete();
            }
        }
    }

    /** Delegates everything; wraps the body handler of each request. */
    private static final class Client extends HttpClient {
        private final HttpClient http;
        private final long limit;

        Client(HttpClient http, long limit) {
            this.http = http;
            this.limit = limit;
        }

        @Override
        public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler)
                throws IOException, InterruptedException {
            if (!"https".equalsIgnoreCase(request.uri().getScheme())) {
                return http.send(request, handler(handler, limit));
            }
            // what the JDK's send does (sendAsync, then wait), with one look at a plain-HTTP server on the way
            CompletableFuture<HttpResponse<T>> f = http.sendAsync(request, handler(handler, limit));
            try {
                try {
                    return f.get(PlainHttpProbe.AFTER.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException slow) {
                    if (PlainHttpProbe.answersPlainHttp(request.uri())) {
                        f.cancel(true);
                        throw new PlainHttpProbe.PlainHttpAnswer(request.uri());
                    }
                    return f.get();
                }
            } catch (InterruptedException e) {
                f.cancel(true);
                throw e;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IOException io) {
                    throw io;
                }
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw new IOException(cause);
            }
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, BodyHandler<T> handler) {
            return http.sendAsync(request, handler(handler, limit));
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, BodyHandler<T> handler,
                                                                HttpResponse.PushPromiseHandler<T> push) {
            return http.sendAsync(request, handler(handler, limit), push);
        }

        @Override
        public Optional<CookieHandler> cookieHandler() {
            return http.cookieHandler();
        }

        @Override
        public Optional<Duration> connectTimeout() {
            return http.connectTimeout();
        }

        @Override
        public Redirect followRedirects() {
            return http.followRedirects();
        }

        @Override
        public Optional<ProxySelector> proxy() {
            return http.proxy();
        }

        @Override
        public SSLContext sslContext() {
            return http.sslContext();
        }

        @Override
        public SSLParameters sslParameters() {
            return http.sslParameters();
        }

        @Override
        public Optional<Authenticator> authenticator() {
            return http.authenticator();
        }

        @Override
        public Version version() {
            return http.version();
        }

        @Override
        public Optional<Executor> executor() {
            return http.executor();
        }
    }
}
