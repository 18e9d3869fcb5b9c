package dev.keysource.vault;

import static dev.keysource.vault.VaultTests.env;
import static dev.keysource.vault.VaultTests.fetch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keysource.KeyRef;
import dev.keysource.Secret;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.spi.KeySource;
import io.github.jopenlibs.vault.VaultConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code kv} and {@code version} options read the same way through the provider's settings and through
 * {@link VaultKeySources} with a ready {@link VaultConfig}: one parser, one message.
 */
class VaultReadOptionsTest {

    @TempDir
    Path home;

    FakeVault vault;
    String token;

    @BeforeEach
    void start() {
        vault = FakeVault.start();
        vault.mountKv2("secret");
        vault.putKv("secret/app", Map.of("api_key", "old"));
        vault.putKv("secret/app", Map.of("api_key", "new"));
        token = vault.createToken(Duration.ZERO, false);
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    private Secret viaConfig(String reference) throws Exception {
        VaultConfig config = new VaultConfig().address(vault.address()).token(token).build();
        try (KeySource source = VaultKeySources.of(KeyRef.parse(reference), config)) {
            return source.fetch();
        }
    }

    /** The token may not look up mounts, so the {@code kv} option decides how the path is read. */
    @ParameterizedTest(name = "kv={0}")
    @ValueSource(strings = {"2", "v2", "V2", "%202%20"})
    void fetch_kv2SpellingsWithMountLookupForbidden_readKv2_bothWays(String kv) throws Exception {
        vault.mountsEndpoint(FakeVault.MountsEndpoint.FORBIDDEN);
        String ref = "vault:secret/app#api_key?kv=" + kv;

        assertThat(fetch(ref, env(vault, token, home), 1).value()).isEqualTo("new");
        assertThat(viaConfig(ref).value()).isEqualTo("new");
        assertThat(vault.count("GET", "secret/data/app")).isEqualTo(2);
    }

    @Test
    void fetch_kv1SpellingsWithMountLookupForbidden_readKv1_bothWays() throws Exception {
        vault.mountKv1("kv1").mountsEndpoint(FakeVault.MountsEndpoint.FORBIDDEN);
        vault.putKv("kv1/app", Map.of("api_key", "one"));

        assertThat(fetch("vault:kv1/app#api_key?kv=v1", env(vault, token, home), 1).value()).isEqualTo("one");
        assertThat(viaConfig("vault:kv1/app#api_key?kv=V1").value()).isEqualTo("one");
        assertThat(vault.count("GET", "kv1/app")).isEqualTo(2);
    }

    @ParameterizedTest(name = "kv={0}")
    @ValueSource(strings = {"3", "0", "two", "v3", "kv2", "2.0"})
    void build_badKv_isMisconfiguredWithOneMessage_bothWays(String kv) {
        String ref = "vault:secret/app#api_key?kv=" + kv;
        String expected = "invalid setting 'kv' = '" + kv + "' (reference option 'kv'); write kv=1 or kv=2 (the KV"
                + " version of the mount), or leave it unset to detect it";

        SourceMisconfiguredException settings = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> fetch(ref, env(vault, token, home), 1));
        SourceMisconfiguredException config = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> viaConfig(ref));

        assertThat(settings).hasMessageEndingWith(expected);
        assertThat(config).hasMessage(settings.getMessage());
        assertThat(vault.requests()).isEmpty();
    }

    @Test
    void fetch_version_pinsTheVersion_bothWays() throws Exception {
        String ref = "vault:secret/app#api_key?version=%201";

        assertThat(fetch(ref, env(vault, token, home), 1).value()).isEqualTo("old");
        assertThat(viaConfig(ref).value()).isEqualTo("old");
        assertThat(vault.requests("GET", "secret/data/app")).extracting(r -> r.query)
                .containsExactly("version=1", "version=1");
    }

    @ParameterizedTest(name = "version={0}")
    @ValueSource(strings = {"0", "-1", "latest", "1.5", "v2", "99999999999"})
    void build_badVersion_isMisconfiguredWithOneMessage_bothWays(String version) {
        String ref = "vault:secret/app#api_key?version=" + version;
        String expected = "invalid setting 'version' = '" + version + "' (reference option 'version'); a KV v2"
                + " version is a whole number from 1 (leave it unset for the latest version)";

        SourceMisconfiguredException settings = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> fetch(ref, env(vault, token, home), 1));
        SourceMisconfiguredException config = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> viaConfig(ref));

        assertThat(settings).hasMessageEndingWith(expected);
        assertThat(config).hasMessage(settings.getMessage());
        assertThat(vault.requests()).isEmpty();
    }

    @Test
    void build_versionWithKv1_isMisconfigured_bothWays() {
        String ref = "vault:secret/app#api_key?kv=1&version=2";

        SourceMisconfiguredException settings = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> fetch(ref, env(vault, token, home), 1));
        SourceMisconfiguredException config = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> viaConfig(ref));

        assertThat(settings).hasMessageEndingWith("'version' pins a KV v2 version, but kv=1 was set; remove one of"
                + " them");
        assertThat(config).hasMessage(settings.getMessage());
    }
}
