package dev.keysource.internal;

import dev.keysource.KeyRef;
import dev.keysource.Secret;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.KeySourceProvider;
import dev.keysource.spi.ProviderContext;
import java.util.Set;

/** Providers registered in this module's test META-INF/services. */
public final class TestProviders {

    private TestProviders() {
    }

    /** A working provider: the secret is the location reversed, or the setting 'value'. */
    public static class Alpha implements KeySourceProvider {
        @Override
        public String scheme() {
            return "alpha";
        }

        @Override
        public Set<String> options() {
            return Set.of("value", "region");
        }

        @Override
        public KeySource create(KeyRef ref, ProviderContext ctx) {
            String v = ctx.setting("value").orElse(new StringBuilder(ref.location()).reverse().toString());
            return new KeySource() {
                @Override
                public KeyRef ref() {
                    return ref;
                }

                @Override
                public Secret fetch() {
                    return Secret.of(v);
                }
            };
        }
    }

    public static class DupOne extends Alpha {
        @Override
        public String scheme() {
            return "dup";
        }
    }

    public static class DupTwo extends Alpha {
        @Override
        public String scheme() {
            return "dup";
        }
    }

    /** Not registered: given in code. */
    public static class Beta extends Alpha {
        @Override
        public String scheme() {
            return "beta";
        }
    }

    /** Fails in its constructor, as a provider with a missing dependency would. */
    public static class Broken extends Alpha {
        public Broken() {
            throw new IllegalStateException("missing dependency com.example:thing");
        }
    }
}
