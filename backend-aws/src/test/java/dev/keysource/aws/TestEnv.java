package dev.keysource.aws;

import dev.keysource.CachedKey;
import dev.keysource.KeyFetcher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The environment and builders the tests share: explicit region, static fake keys, a private HOME. */
final class TestEnv {

    /** Static test credentials; tests assert they never appear in messages. */
    static final String ACCESS_KEY_ID = "AKIAKEYSOURCETEST001";
    static final String SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYsecretTEST";
    static final String SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLEsessionTOKENtest";

    private TestEnv() {
    }

    /** Region, endpoint and static credentials for {@code fake}; HOME is {@code home} so no real ~/.aws is read. */
    static Map<String, String> env(FakeSecretsManager fake, Path home) {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("AWS_REGION", fake.region());
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", fake.endpoint().toString());
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        return env;
    }

    /** A builder with the aws-sm provider, {@code env}, a 5 s time limit and 1 ms backoff. */
    static CachedKey.Builder builder(String reference, Map<String, String> env) {
        return CachedKey.builder(reference)
                .providers(List.of(new SecretsManagerKeySourceProvider()))
                .environment(env)
                .systemProperties(Map.of())
                .timeout(Duration.ofSeconds(5))
                .backoff(Duration.ofMillis(1));
    }

    /** One resilient fetch (what the CLI does). */
    static KeyFetcher fetcher(String reference, Map<String, String> env) {
        return builder(reference, env).buildFetcher();
    }
}
