package dev.keysource.aws.internal;

import dev.keysource.spi.PlainHttpProbe;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * The SDK's HTTP client, with one look for a plain-HTTP server behind an {@code https://} endpoint: when a
 * request has not completed after {@link PlainHttpProbe#AFTER}, the client's scheduler starts a daemon thread
 * that probes the endpoint; if it answers in plain HTTP, the request is aborted and fails with
 * {@link PlainHttpProbe.PlainHttpAnswer}, which {@link AwsErrors} reports as misconfigured (not retried),
 * instead of waiting for the time-out.
 */
final class PlainHttpGuard implements SdkHttpClient {

    private final SdkHttpClient http;
    private final ScheduledExecutorService scheduler;

    PlainHttpGuard(SdkHttpClient http, ScheduledExecutorService scheduler) {
        this.http = http;
        this.scheduler = scheduler;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        ExecutableHttpRequest call = http.prepareRequest(request);
        URI uri = request.httpRequest().getUri();
        if (scheduler == null || !"https".equalsIgnoreCase(uri.getScheme())) {
            return call;
        }
        return new ExecutableHttpRequest() {
            private final AtomicBoolean plain = new AtomicBoolean();

            @Override
            public HttpExecuteResponse call() throws IOException {
                // the scheduler only times the probe: the probe itself (up to twice PlainHttpProbe.LIMIT of blocking
                // I/O) runs on a thread of its own, so the client's one scheduler thread never waits on a socket
                ScheduledFuture<?> probe = scheduler.schedule(() -> {
                    Thread t = new Thread(() -> {
                        if (PlainHttpProbe.answersPlainHttp(uri)) {
                            plain.set(true);
                            call.abort();
                        }
                    }, "keysource-aws-plain-http-probe");
                    t.setDaemon(true);
                    t.start();
                }, PlainHttpProbe.AFTER.toMillis(), TimeUnit.MILLISECONDS);
                try {
                    HttpExecuteResponse r = call.call();
                    if (plain.get()) {
                        throw new PlainHttpProbe.PlainHttpAnswer(uri);
                    }
                    return r;
                } catch (IOException | RuntimeException e) {
                    if (plain.get()) {
                        throw new PlainHttpProbe.PlainHttpAnswer(uri);
                    }
                    throw e;
                } finally {
                    probe.cancel(false);
                }
            }

            @Override
            public void abort() {
                call.abort();
            }
        };
    }

    @Override
    public String clientName() {
        return http.clientName();
    }

    @Override
    public void close() {
        http.close();
    }
}
