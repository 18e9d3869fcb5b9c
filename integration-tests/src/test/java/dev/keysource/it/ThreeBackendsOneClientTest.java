package dev.keysource.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.Keys;
import dev.keysource.aws.FakeSecretsManager;
import dev.keysource.vault.FakeVault;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, done-when: one {@link Keys} client serving keys of three backends (a helper script, Vault
 * with AppRole, AWS Secrets Manager, each a loopback fake) builds each backend once: one discovery of
 * the providers (so one provider instance per scheme), one Vault login and mount look-up for all its
 * keys, and one SDK client's worth of requests for all the AWS keys.
 */
class ThreeBackendsOneClientTest {

    private static final int PER_BACKEND = 3;

    @TempDir
    Path dir;

    /** Counts how often the providers are discovered (each discovery instantiates every provider). */
    static final class CountingLoader extends ClassLoader {
        final AtomicInteger discoveries = new AtomicInteger();

        CountingLoader(ClassLoader parent) {
            super(parent);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            if (name.equals("META-INF/services/dev.keysource.spi.KeySourceProvider")) {
                discoveries.incrementAndGet();
            }
            return super.getResources(name);
        }
    }

    @Test
    void oneClient_keysOfScriptVaultAndAws_eachBackendBuiltOnce() throws Exception {
        try (FakeVault vault = FakeVault.start(); FakeSecretsManager aws = FakeSecretsManager.start()) {
            vault.mountKv2("secret/");
            vault.appRole("approle", "role-1", "secret-1", Duration.ofHours(1), true);
            Map<String, String> env = new HashMap<>();
            env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            env.put("HOME", dir.toString());
            env.put("VAULT_ADDR", vault.address());
            env.put("VAULT_ROLE_ID", "role-1");
            env.put("VAULT_SECRET_ID", "secret-1");
            env.put("AWS_REGION", aws.region());
            env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", aws.endpoint().toString());
            env.put("AWS_ACCESS_KEY_ID", "AKIAKEYSOURCEONECLIENT");
            env.put("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYoneclientKEY");
            env.put("AWS_EC2_METADATA_DISABLED", "true");
            CountingLoader loader = new CountingLoader(getClass().getClassLoader());
            String[] refs = new String[PER_BACKEND * 3];
            for (int i = 0; i < PER_BACKEND; i++) {
                Path helper = dir.resolve("helper-" + i + ".sh");
                Files.writeString(helper, "#!/bin/sh\necho script-value-" + i + "\n");
                Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
                refs[i] = "script:" + helper;
                vault.putKv("secret/app/k" + i, Map.of("v", "vault-value-" + i));
                refs[PER_BACKEND + i] = "vault:secret/app/k" + i + "#v";
                aws.putSecretString("prod/k" + i, "aws-value-" + i);
                refs[2 * PER_BACKEND + i] = "aws-sm:prod/k" + i;
            }

            try (Keys keys = Keys.builder().classLoader(loader).environment(env).systemProperties(Map.of())
                    .setting("vault", "auth", "approle").build()) {
                for (int round = 0; round < 2; round++) {
                    for (int i = 0; i < PER_BACKEND; i++) {
                        assertThat(keys.get(refs[i])).isEqualTo("script-value-" + i);
                        assertThat(keys.get(refs[PER_BACKEND + i])).isEqualTo("vault-value-" + i);
                        assertThat(keys.get(refs[2 * PER_BACKEND + i])).isEqualTo("aws-value-" + i);
                    }
                }
                assertThat(keys.references()).hasSize(3 * PER_BACKEND);
                assertThat(loader.discoveries).as("provider discoveries (instances per scheme)").hasValue(1);
                assertThat(vault.count("POST", "auth/approle/login")).as("Vault logins").isEqualTo(1);
                assertThat(vault.requests().stream().filter(r -> r.path.startsWith("sys/internal/ui/mounts/")))
                        .as("Vault mount look-ups").hasSize(1);
                assertThat(aws.getSecretValueCount()).as("AWS reads: one per key, cached after").isEqualTo(PER_BACKEND);
            }
            assertThat(vault.count("POST", "auth/token/revoke-self")).as("revoked on close").isEqualTo(1);
        }
    }
}
