package dev.keysource.benchmarks;

import dev.keysource.KeyRef;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.KeySourceProvider;
import dev.keysource.spi.ProviderContext;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The {@code bench} scheme, given to a {@code Keys} client with {@code provider(..)}: each key is a
 * {@link BenchKeySource} over one {@link Backend}, answering {@code values.apply(location)}.
 */
public final class BenchProvider implements KeySourceProvider {

    private final Backend backend;
    private final Function<String, String> values;

    public BenchProvider(Backend backend, Function<String, String> values) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.values = Objects.requireNonNull(values, "values");
    }

    @Override
    public String scheme() {
        return "bench";
    }

    @Override
    public Set<String> options() {
        return Set.of();
    }

    @Override
    public KeySource create(KeyRef ref, ProviderContext context) {
        String value = values.apply(ref.location());
        return new BenchKeySource(ref, backend, n -> value);
    }
}
