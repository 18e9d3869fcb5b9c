package com.example.service;

import dev.keysource.CachedKey;
import dev.keysource.Keys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

/**
 * The README's first library snippet, as code that compiles ({@code ReadmeSnippetTest} checks that the
 * README shows exactly the lines between the markers): a service with many secrets builds one
 * {@link Keys} client and takes its keys from it.
 */
final class ManySecrets {

    private ManySecrets() {
    }

    static String readme(HttpClient http, URI uri) throws IOException, InterruptedException {
        // README:start
        Keys keys = Keys.builder()                                       // one client per application
                .setting("vault", "auth", "approle")                     // backend settings, given once
                .ttl(Duration.ofMinutes(10))                             // a default of every key
                .build();
        String dbPassword = keys.get("vault:secret/app/db#password");   // cached: one map look-up, no I/O
        CachedKey apiKey = keys.key("aws-sm:prod/partner#api_key");     // a handle onto one entry
        HttpResponse<String> response = apiKey.send(http,               // the 401 loop, done once: on a
                k -> HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + k).build(),
                BodyHandlers.ofString());                                // 401/403: reject, fetch, send again
        keys.close();                                  // on shutdown: revokes the Vault token it logged in for
        // README:end
        return dbPassword.isEmpty() ? "" : response.body();
    }
}
