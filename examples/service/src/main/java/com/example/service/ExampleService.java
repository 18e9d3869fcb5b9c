package com.example.service;

import dev.keysource.CachedKey;
import dev.keysource.KeySourceException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;

/**
 * A tiny service: reads its API key through keysource and calls an HTTP API with it.
 *
 * <pre>
 * java -cp ... com.example.service.ExampleService 'script:~/bin/get-api-key.sh' https://api.example.com/ v1/models
 * </pre>
 */
public final class ExampleService {

    private ExampleService() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the service; returns the process exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 3) {
            err.println("usage: ExampleService <keysource reference> <API base URL> <path>...");
            return 2;
        }
        // One CachedKey per secret, for the life of the service. Settings not given here come from
        // system properties (keysource.ttl) or the environment (KEYSOURCE_TTL_MS), else defaults.
        try (CachedKey apiKey = CachedKey.builder(args[0]).ttl(Duration.ofMinutes(10)).build()) {
            ModelsApiClient client = new ModelsApiClient(URI.create(args[1]), apiKey);
            for (int i = 2; i < args.length; i++) {
                out.println(client.get(args[i]));
            }
            return 0;
        } catch (KeySourceException e) {
            // the message says what failed and what to do; it never holds the key
            err.println("cannot get the API key: " + e.getMessage());
            return 1;
        } catch (ModelsApiClient.ApiException e) {
            err.println(e.getMessage());
            return 1;
        } catch (UncheckedIOException e) {
            err.println(e.getMessage() + ": " + e.getCause());
            return 1;
        }
    }
}
