package com.example.service;

import dev.keysource.CachedKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * A client of an HTTP API that authenticates with an API key from keysource.
 *
 * <p>Every call goes through {@link CachedKey#withKey}: the call runs with the cached key; if the API
 * answers 401 or 403 the key is rejected, keysource fetches the current one from its backend (here: runs
 * the helper script again) and the call is made once more. A key rotated at the backend is therefore picked
 * up on the first 401, without waiting for the TTL and without a restart.
 */
public final class ModelsApiClient {

    /** The header the API reads the key from. */
    public static final String KEY_HEADER = "x-api-key";

    private final URI base;
    private final CachedKey apiKey;
    private final HttpClient http;

    public ModelsApiClient(URI base, CachedKey apiKey) {
        this.base = Objects.requireNonNull(base, "base");
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * GETs {@code path} (relative to the base URI) and returns the body.
     *
     * @throws ApiException for a status other than 2xx, after the one retry a 401/403 earns
     */
    public String get(String path) {
        URI uri = base.resolve(path);
        HttpResponse<String> response = apiKey.withKey(key -> send(uri, key), ModelsApiClient::rejected);
        if (response.statusCode() / 100 != 2) {
            throw new ApiException(response.statusCode(), uri);
        }
        return response.body();
    }

    /** The API refused the key: reject it and try once more with a fresh one. */
    static boolean rejected(HttpResponse<?> response) {
        return response.statusCode() == 401 || response.statusCode() == 403;
    }

    private HttpResponse<String> send(URI uri, String key) {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .header(KEY_HEADER, key)
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + uri + " failed", e); // never the key: it is in a header only
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during GET " + uri, e);
        }
    }

    /** The API answered with an error status. */
    public static final class ApiException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        ApiException(int status, URI uri) {
            super("GET " + uri + " answered HTTP " + status);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
