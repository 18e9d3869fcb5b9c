package dev.keysource.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one ServiceLoader loop, over core's test services file (three providers that load, two that do not). */
class ProviderDiscoveryTest {

    @Test
    void load_brokenProviders_reportedAfterTheOthersLoaded() {
        ProviderDiscovery found = ProviderDiscovery.load(getClass().getClassLoader());

        assertThat(found.providers()).extracting(p -> p.getClass().getSimpleName())
                .containsExactly("Alpha", "DupOne", "DupTwo");
        assertThat(found.failures()).hasSize(2);
        assertThat(found.failures().get(0)).contains("TestProviders$Broken", "missing dependency com.example:thing");
        assertThat(found.failures().get(1)).contains("dev.keysource.internal.NoSuchProvider");
    }

    @Test
    void load_nullLoader_usesTheContextClassLoader() {
        ProviderDiscovery found = ProviderDiscovery.load(null);

        assertThat(found.providers()).extracting(KeySourceProvider::scheme).containsExactly("alpha", "dup", "dup");
        assertThat(found.providers()).isUnmodifiable();
        assertThat(found.failures()).isUnmodifiable();
    }
}
