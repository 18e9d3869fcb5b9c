package dev.keysource.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysource.CachedKey;
import dev.keysource.KeyFetcher;
import dev.keysource.KeyRef;
import dev.keysource.Secret;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.KeySourceProvider;
import dev.keysource.spi.ProviderContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code build()} and {@code buildFetcher()} refuse, and what they must not (issue 15 #11, #12). */
class BuildValidationTest {

    /** A provider whose tool has its own TTL variable, as the script backend has Claude Code's. */
    static final class ToolProvider extends TestProviders.Alpha {
        @Override
        public String scheme() {
            return "tool";
        }

        @Override
        public List<String> ttlEnvironmentVariables() {
            return List.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS");
        }

        @Override
        public KeySource create(KeyRef ref, ProviderContext ctx) {
            return new KeySource() {
                @Override
                public KeyRef ref() {
                    return ref;
                }

                @Override
                public Secret fetch() {
                    return Secret.of("value-of-" + ref.location());
                }
            };
        }
    }

    private static CachedKey.Builder builder(Map<String, String> env) {
        return CachedKey.builder("tool:x").providers(List.<KeySourceProvider>of(new ToolProvider()))
                .environment(env).systemProperties(Map.of()).executor(Runnable::run);
    }

    @Test
    void buildFetcher_callerToolAndKeysourceTtlVariablesInvalid_fetchesAnyway() {
        for (Map<String, String> env : List.of(Map.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS", "0"),
                Map.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS", "1e6"), Map.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS", "900000.0"),
                Map.of("KEYSOURCE_TTL_MS", "0"), Map.of("KEYSOURCE_TTL_MS", "soon"))) {
            try (KeyFetcher f = builder(env).buildFetcher()) {
                assertThat(f.fetch().value()).as("%s", env).isEqualTo("value-of-x");
            }
        }
    }

    @Test
    void build_callerToolTtlVariableZero_buildsWithTheDefaultTtl() {
        try (CachedKey k = builder(Map.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS", "0")).build()) {
            assertThat(k.get()).isEqualTo("value-of-x");
        }
    }

    @Test
    void build_keysourceTtlVariableZero_isRefused() {
        assertThatThrownBy(() -> builder(Map.of("KEYSOURCE_TTL_MS", "0")).build())
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessageStartingWith("setting 'ttl' from environment variable KEYSOURCE_TTL_MS must be a positive duration");
    }

    @Test
    void build_extremeDurationsInCode_refusedAtBuildTime() {
        assertThatThrownBy(() -> builder(Map.of()).ttl(Duration.ofSeconds(Long.MAX_VALUE)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ttl must be at most 365 days (PT8760H): PT2562047788015215H30M7S");
        assertThatThrownBy(() -> builder(Map.of()).expirySkew(Duration.ofSeconds(Long.MAX_VALUE)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expirySkew must be at most 365 days (PT8760H): PT2562047788015215H30M7S");
    }

    @Test
    void buildFetcher_slowThresholdOfCenturies_refusedWithAMessage() {
        assertThatThrownBy(() -> builder(Map.of("KEYSOURCE_SLOW_THRESHOLD_MS", "106752d")).buildFetcher())
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessage("setting 'slow-threshold' from environment variable KEYSOURCE_SLOW_THRESHOLD_MS must be at "
                        + "most 365 days (365d); got '106752d'");
    }
}
