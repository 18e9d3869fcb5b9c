package com.example.service;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback stand-in for an HTTP API that accepts exactly one key at a time, like a provider whose key
 * was just rotated: requests with the current key get 200, any other key gets 401.
 */
final class FakeApi implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final List<Integer> statuses = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile String validKey;

    FakeApi(String validKey) throws IOException {
        this.validKey = validKey;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String key = exchange.getRequestHeaders().getFirst(ModelsApiClient.KEY_HEADER);
            boolean ok = key != null && key.equals(this.validKey);
            int status = ok ? 200 : 401;
            byte[] body = (ok ? "{\"data\":[\"model-a\"]}" : "{\"error\":\"invalid x-api-key\"}")
                    .getBytes(StandardCharsets.UTF_8);
            synchronized (statuses) {
                statuses.add(status);
            }
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(pool);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    /** From now on only {@code key} is accepted. */
    void rotateTo(String key) {
        validKey = key;
    }

    /** The statuses answered so far, in order. */
    List<Integer> statuses() {
        synchronized (statuses) {
            return List.copyOf(statuses);
        }
    }

    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        server.stop(0);
        pool.shutdownNow();
    }
}
