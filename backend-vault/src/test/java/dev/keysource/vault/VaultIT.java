package dev.keysource.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keysource.CachedKey;
import dev.keysource.KeyFetcher;
import dev.keysource.SecretNotFoundException;
import dev.keysource.Secret;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.testkit.Canary;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.vault.VaultContainer;

/**
 * The main paths against a real Vault server in dev mode, where Docker can run it: KV v2 at
 * {@code secret/}, KV v1, a policy refusal, not found, AppRole, rotation. Without Docker every test is
 * skipped with a message saying so; {@code FakeVault}-based tests cover the same paths (and the fault
 * matrix) everywhere. The image is {@value #DEFAULT_IMAGE} unless {@code -Dkeysource.it.vault.image=...}
 * names another.
 */
class VaultIT {

    static final String DEFAULT_IMAGE = "hashicorp/vault:1.17";
    static final String ROOT = "keysource-it-root";

    private static VaultContainer<?> vault;
    private static String address;
    private static Path home;
    private static String skipReason;
    private static final HttpClient ADMIN = HttpClient.newHttpClient();

    @BeforeAll
    static void startVault() throws Exception {
        boolean docker;
        try {
            docker = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            docker = false;
        }
        if (!docker) {
            skipReason = "VaultIT skipped: no Docker daemon is reachable here, so a real Vault cannot run; the"
                    + " FakeVault tests (VaultKvTest, VaultAuthTest, VaultClassificationTest, VaultTlsTest) cover the"
                    + " same paths";
            System.out.println(skipReason);
            return;
        }
        String image = System.getProperty("keysource.it.vault.image", DEFAULT_IMAGE);
        try {
            vault = new VaultContainer<>(DockerImageName.parse(image).asCompatibleSubstituteFor("hashicorp/vault"))
                    .withVaultToken(ROOT);
            vault.start();
        } catch (RuntimeException e) {
            skipReason = "VaultIT skipped: Docker is reachable but the Vault image " + image + " could not be started ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
            System.out.println(skipReason);
            vault = null;
            return;
        }
        address = vault.getHttpHostAddress();
        home = Files.createTempDirectory("keysource-vault-it");
        admin("POST", "sys/mounts/kv1", "{\"type\":\"kv\",\"options\":{\"version\":\"1\"}}");
        admin("POST", "secret/data/claude-code", "{\"data\":{\"api_key\":\"sk-it-v2\"}}");
        admin("POST", "kv1/claude-code", "{\"api_key\":\"sk-it-v1\"}");
        admin("PUT", "sys/policies/acl/read-secret", "{\"policy\":\"path \\\"secret/data/claude-code\\\" {"
                + " capabilities = [\\\"read\\\"] }\"}");
        admin("POST", "sys/auth/approle", "{\"type\":\"approle\"}");
        admin("POST", "auth/approle/role/app", "{\"token_policies\":\"read-secret\",\"token_ttl\":\"60s\"}");
    }

    @AfterAll
    static void stopVault() {
        if (vault != null) {
            vault.stop();
        }
    }

    @BeforeEach
    void requireVault() {
        Assumptions.assumeTrue(vault != null, () -> skipReason);
    }

    private static String admin(String method, String path, String json) throws IOException, InterruptedException {
        HttpResponse<String> r = ADMIN.send(HttpRequest.newBuilder(URI.create(address + "/v1/" + path))
                .header("X-Vault-Token", ROOT)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isBetween(200, 299);
        return r.body();
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        assertThat(m.find()).as("%s in %s", name, json).isTrue();
        return m.group(1);
    }

    private static Map<String, String> env(String token, String... more) {
        Map<String, String> env = new HashMap<>();
        env.put("VAULT_ADDR", address);
        if (token != null) {
            env.put("VAULT_TOKEN", token);
        }
        env.put("HOME", home.toString());
        for (int i = 0; i + 1 < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    private static KeyFetcher fetcher(String ref, Map<String, String> env) {
        return CachedKey.builder(ref).providers(List.of(new VaultKeySourceProvider())).environment(env)
                .systemProperties(Map.of()).maxAttempts(1).buildFetcher();
    }

    @Test
    void fetch_kv2WithOnlyAddressAndToken_readsKey() {
        try (KeyFetcher f = fetcher("vault:secret/claude-code#api_key", env(ROOT))) {
            Secret s = f.fetch();
            assertThat(s.value()).isEqualTo("sk-it-v2");
            assertThat(s.version()).isPresent();
            assertThat(s.created()).isPresent();
        }
    }

    @Test
    void fetch_kv1Mount_readsKey() {
        try (KeyFetcher f = fetcher("vault:kv1/claude-code#api_key", env(ROOT))) {
            assertThat(f.fetch().value()).isEqualTo("sk-it-v1");
        }
    }

    @Test
    void fetch_missingSecret_isNotFound() {
        try (KeyFetcher f = fetcher("vault:secret/does-not-exist", env(ROOT))) {
            SecretNotFoundException e = catchThrowableOfType(SecretNotFoundException.class, f::fetch);
            assertThat(e.getMessage()).contains("404", address);
            VaultTests.assertClean(e, ROOT);
        }
    }

    @Test
    void fetch_tokenWithoutPolicy_isRejected() throws Exception {
        String token = field(admin("POST", "auth/token/create", "{\"policies\":[\"default\"],\"ttl\":\"5m\"}"),
                "client_token");
        try (KeyFetcher f = fetcher("vault:secret/claude-code#api_key", env(token))) {
            SourceAccessDeniedException e = catchThrowableOfType(SourceAccessDeniedException.class, f::fetch);
            assertThat(e.getMessage()).contains("403", address);
            VaultTests.assertClean(e, token, "sk-it-v2");
        }
    }

    @Test
    void fetch_appRole_logsInAndReads() throws Exception {
        String roleId = field(admin("GET", "auth/approle/role/app/role-id", null), "role_id");
        String secretId = field(admin("POST", "auth/approle/role/app/secret-id", "{}"), "secret_id");
        try (KeyFetcher f = fetcher("vault:secret/claude-code#api_key?auth=approle",
                env(null, "VAULT_ROLE_ID", roleId, "VAULT_SECRET_ID", secretId))) {
            assertThat(f.fetch().value()).isEqualTo("sk-it-v2");
        }
    }

    @Test
    void get_afterRejectOfRotatedValue_returnsNewValue() throws Exception {
        admin("POST", "secret/data/rotating", "{\"data\":{\"api_key\":\"" + Canary.SECRET + "-old\"}}");
        try (CachedKey key = CachedKey.builder("vault:secret/rotating#api_key")
                .providers(List.of(new VaultKeySourceProvider())).environment(env(ROOT)).systemProperties(Map.of())
                .build()) {
            assertThat(key.get()).endsWith("-old");
            admin("POST", "secret/data/rotating", "{\"data\":{\"api_key\":\"sk-new\"}}");
            key.reject(key.get());
            assertThat(key.get()).isEqualTo("sk-new");
        }
    }

    @Test
    void fetch_deletedLatestVersion_isNotFound() throws Exception {
        admin("POST", "secret/data/deleted", "{\"data\":{\"k\":\"v\"}}");
        admin("DELETE", "secret/data/deleted", null);
        try (KeyFetcher f = fetcher("vault:secret/deleted", env(ROOT))) {
            SecretNotFoundException e = catchThrowableOfType(SecretNotFoundException.class, f::fetch);
            assertThat(e.getMessage()).contains("was deleted");
        }
    }
}
