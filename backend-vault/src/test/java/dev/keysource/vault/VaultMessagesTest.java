package dev.keysource.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.testkit.Canary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exact words a user gets at a KV v2 mistake, and the fields=all reading the credential helpers use. */
class VaultMessagesTest {

    @TempDir
    Path home;

    @Test
    void kv2VersionThatDoesNotExist_saysSo() {
        try (FakeVault vault = FakeVault.start()) {
            vault.mountKv2("secret/").putKv("secret/app", Map.of("api_key", Canary.SECRET));
            String token = vault.createToken(Duration.ofHours(1), true);
            SecretNotFoundException e = VaultTests.failure(SecretNotFoundException.class,
                    "vault:secret/app?version=7#api_key", VaultTests.env(vault, token, home), token);
            assertThat(e).hasMessage("vault:secret/app?version=7#api_key: there is no version 7 of secret/app (Vault"
                    + " answered 404 to GET " + vault.address() + "/v1/secret/data/app?version=7; the secret may not"
                    + " exist at all): leave 'version' out for the latest, or list its versions with 'vault kv"
                    + " metadata get secret/app'");
        }
    }

    @Test
    void kv2PathTypedWithData_saysToDropIt() {
        try (FakeVault vault = FakeVault.start()) {
            vault.mountKv2("secret/").putKv("secret/app", Map.of("api_key", Canary.SECRET));
            String token = vault.createToken(Duration.ofHours(1), true);
            SecretNotFoundException e = VaultTests.failure(SecretNotFoundException.class,
                    "vault:secret/data/app#api_key", VaultTests.env(vault, token, home), token);
            assertThat(e).hasMessage("vault:secret/data/app#api_key: nothing is stored at secret/data/app (Vault"
                    + " answered 404 to GET " + vault.address() + "/v1/secret/data/data/app): secret/ is a KV v2 mount"
                    + " and keysource adds data/ itself, so drop 'data/' from the reference: vault:secret/app");
        }
    }

    @Test
    void kv2PathThatDoesNotExist_keepsTheCommonMessage() {
        try (FakeVault vault = FakeVault.start()) {
            vault.mountKv2("secret/");
            String token = vault.createToken(Duration.ofHours(1), true);
            SecretNotFoundException e = VaultTests.failure(SecretNotFoundException.class, "vault:secret/nope",
                    VaultTests.env(vault, token, home), token);
            assertThat(e.getMessage()).contains("nothing is stored at this path");
        }
    }

    @Test
    void unknownOption_offersTheNearestAndListsOnlyWhatAReferenceAccepts() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VaultTests.key("vault:secret/app?versoin=3#api_key",
                Map.of()).buildFetcher()).isInstanceOf(dev.keysource.InvalidReferenceException.class)
                .hasMessage("vault:secret/app?versoin=3#api_key: unknown option 'versoin' (did you mean"
                        + " 'version'?). Scheme 'vault' accepts: address, auth, auth-mount, cacert, capath, fields, jwt-file,"
                        + " kv, namespace, role, role-id, role-id-file, secret-id-file, skip-verify, version; and the core"
                        + " options: attempts, backoff, expiry-skew, jitter, refresh-ahead, slow-threshold, stale-grace,"
                        + " timeout, ttl");
    }

    @Test
    void fieldsAll_readsEveryFieldAsOneJsonObject_andRefusesAFieldBesideIt() {
        try (FakeVault vault = FakeVault.start()) {
            vault.mountKv2("secret/").putKv("secret/aws", Map.of("access_key", "AKIA1", "secret_key", "s1"));
            String token = vault.createToken(Duration.ofHours(1), true);
            Map<String, String> env = VaultTests.env(vault, token, home, "KEYSOURCE_VAULT_FIELDS", "all");
            String json = VaultTests.fetch("vault:secret/aws", env, 1).value();
            assertThat(dev.keysource.spi.Json.parse(json)).isEqualTo(Map.of("access_key", "AKIA1", "secret_key", "s1"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> VaultTests.key("vault:secret/aws#access_key", env)
                    .buildFetcher()).isInstanceOf(SourceMisconfiguredException.class).hasMessage("vault:secret/aws#access_key: fields=all reads every field, but the reference"
                    + " names one (#access_key); remove one of them");
        }
    }
}
