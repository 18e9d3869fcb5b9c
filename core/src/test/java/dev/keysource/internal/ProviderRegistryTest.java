package dev.keysource.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysource.CachedKey;
import dev.keysource.InvalidReferenceException;
import dev.keysource.KeyFetcher;
import dev.keysource.SourceMisconfiguredException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

    private final ProviderRegistry registry = ProviderRegistry.load(getClass().getClassLoader());

    @Test
    void load_brokenProviders_reportedNotFatal() {
        assertThat(registry.schemes()).containsExactly("alpha", "dup");
        assertThat(registry.failures()).hasSize(2);
        assertThat(String.join("\n", registry.failures()))
                .contains("TestProviders$Broken")
                .contains("missing dependency com.example:thing")
                .contains("dev.keysource.internal.NoSuchProvider");
    }

    @Test
    void provider_unknownKnownScheme_namesFoundSchemesArtifactAndFailures() {
        assertThatThrownBy(() -> registry.provider("vault", "vault:secret/app"))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageStartingWith("vault:secret/app: unknown scheme 'vault'. Schemes on the classpath: "
                        + "alpha, dup. To use 'vault', add the dependency dev.keysource:keysource-vault. "
                        + "Providers that failed to load: ")
                .hasMessageContaining("missing dependency com.example:thing");
    }

    @Test
    void provider_unknownOtherScheme_listsKnownArtifacts() {
        assertThatThrownBy(() -> ProviderRegistry.of(List.of(new TestProviders.Alpha()), new java.util.ArrayList<>())
                .provider("vualt", "vualt:x"))
                .hasMessage("vualt:x: unknown scheme 'vualt'. Schemes on the classpath: alpha. Known schemes "
                        + "and their artifacts: aws-sm (dev.keysource:keysource-aws), aws-sm-agent "
                        + "(dev.keysource:keysource-aws-agent), file (dev.keysource:keysource-file), script "
                        + "(dev.keysource:keysource-script), vault (dev.keysource:keysource-vault).");
    }

    @Test
    void provider_twoForOneScheme_errorNamesBothClasses() {
        assertThatThrownBy(() -> registry.provider("dup", "dup:x"))
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessage("dup:x: two providers for scheme 'dup': dev.keysource.internal.TestProviders$DupOne and "
                        + "dev.keysource.internal.TestProviders$DupTwo; remove one of them from the classpath");
    }

    @Test
    void provider_noBackendsAtAll_saysSo() {
        assertThatThrownBy(() -> ProviderRegistry.of(List.of(), new java.util.ArrayList<>()).provider("vault", "vault:x"))
                .hasMessage("vault:x: unknown scheme 'vault'. No keysource backends are on the classpath. "
                        + "To use 'vault', add the dependency dev.keysource:keysource-vault.");
    }

    @Test
    void build_discoveredProvider_fetchesThroughServiceLoader() {
        try (KeyFetcher f = CachedKey.builder("alpha:olleh").environment(Map.of()).buildFetcher()) {
            assertThat(f.fetch().value()).isEqualTo("hello");
        }
    }

    @Test
    void build_unknownOption_listsAcceptedOptions() {
        assertThatThrownBy(() -> CachedKey.builder("alpha:x?regoin=eu").environment(Map.of()).build())
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessage("alpha:x?regoin=eu: unknown option 'regoin' (did you mean 'region'?). Scheme 'alpha' accepts: region, value; "
                        + "and the core options: attempts, backoff, expiry-skew, jitter, refresh-ahead, slow-threshold, "
                        + "stale-grace, timeout, ttl");
    }

    @Test
    void build_settingPrecedence_codeBeatsOptionBeatsPropertyBeatsEnv() {
        Map<String, String> env = Map.of("KEYSOURCE_ALPHA_VALUE", "from-env");
        try (KeyFetcher f = CachedKey.builder("alpha:x").environment(env).systemProperties(Map.of()).buildFetcher()) {
            assertThat(f.fetch().value()).isEqualTo("from-env");
            assertThat(f.consulted()).contains("environment variable KEYSOURCE_ALPHA_VALUE");
        }
        try (KeyFetcher f = CachedKey.builder("alpha:x").environment(env)
                .systemProperties(Map.of("keysource.alpha.value", "from-prop")).buildFetcher()) {
            assertThat(f.fetch().value()).isEqualTo("from-prop");
        }
        try (KeyFetcher f = CachedKey.builder("alpha:x?value=from-ref").environment(env)
                .systemProperties(Map.of("keysource.alpha.value", "from-prop")).buildFetcher()) {
            assertThat(f.fetch().value()).isEqualTo("from-ref");
        }
        try (KeyFetcher f = CachedKey.builder("alpha:x?value=from-ref").setting("value", "from-code").environment(env)
                .buildFetcher()) {
            assertThat(f.fetch().value()).isEqualTo("from-code");
        }
    }

    @Test
    void build_unknownCodeSetting_rejected() {
        assertThatThrownBy(() -> CachedKey.builder("alpha:x").setting("nope", "1").environment(Map.of()).build())
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessageStartingWith("alpha:x: unknown setting 'nope' for scheme 'alpha'. It accepts: region, value;");
    }

    @Test
    void build_providersGiven_addToDiscoveryInsteadOfReplacingIt() {
        // a provider for another scheme given in code: the discovered 'alpha' must still be found
        try (KeyFetcher f = CachedKey.builder("alpha:olleh").providers(List.of(new TestProviders.Beta()))
                .environment(Map.of()).buildFetcher()) {
            assertThat(f.fetch().value()).isEqualTo("hello");
        }
        try (KeyFetcher f = CachedKey.builder("beta:ateb").providers(List.of(new TestProviders.Beta()))
                .environment(Map.of()).buildFetcher()) {
            assertThat(f.fetch().value()).isEqualTo("beta");
        }
    }

    @Test
    void build_providerGivenForDiscoveredScheme_overridesIt() {
        try (KeyFetcher f = CachedKey.builder("dup:x").provider(new TestProviders.DupOne()).environment(Map.of())
                .buildFetcher()) {
            assertThat(f.ref().scheme()).isEqualTo("dup"); // no "two providers" error: the given one wins
        }
    }

    @Test
    void provider_knownSchemeWhoseProviderFailedToLoad_doesNotSayToAddTheDependency() {
        ProviderRegistry r = ProviderRegistry.of(List.of(new TestProviders.Alpha()), new java.util.ArrayList<>(List.of(
                "dev.keysource.spi.KeySourceProvider: Provider dev.keysource.vault.VaultKeySourceProvider could not be"
                        + " instantiated (caused by java.lang.NoClassDefFoundError: io/github/jopenlibs/vault/Vault)")));
        assertThatThrownBy(() -> r.provider("vault", "vault:x"))
                .hasMessageContaining("Its provider is on the classpath but failed to load")
                .hasMessageNotContaining("add the dependency");
    }

    @Test
    void setting_nullValue_namesTheSetting() {
        assertThatThrownBy(() -> CachedKey.builder("alpha:x").setting("region", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("setting 'region' has no value (null): pass a value, or leave the setting out to use its"
                        + " default");
        assertThatThrownBy(() -> dev.keysource.Keys.builder().setting("alpha", "region", null))
                .hasMessageContaining("setting 'region'");
    }

    @Test
    void keysBuild_settingOfUnknownName_refusedNamingIt() {
        assertThatThrownBy(() -> dev.keysource.Keys.builder().environment(Map.of()).setting("alpha", "regoin", "eu")
                .build())
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessageStartingWith("unknown setting 'regoin' for scheme 'alpha'. It accepts: region, value;");
    }

    @Test
    void keys_settingIsDefault_referenceOptionWinsForItsKey() {
        try (dev.keysource.Keys keys = dev.keysource.Keys.builder().environment(Map.of()).systemProperties(Map.of())
                .setting("alpha", "value", "from-client").build()) {
            assertThat(keys.get("alpha:x")).isEqualTo("from-client");
            assertThat(keys.get("alpha:y?value=from-ref")).isEqualTo("from-ref");
        }
    }
}
