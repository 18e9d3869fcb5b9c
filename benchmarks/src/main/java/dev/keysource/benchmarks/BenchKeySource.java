package dev.keysource.benchmarks;

import dev.keysource.KeyRef;
import dev.keysource.Secret;
import dev.keysource.SourceInterruptedException;
import dev.keysource.spi.KeySource;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * A trivial {@link KeySource} over a {@link Backend}: each fetch is one backend call, and returns the
 * value {@code values.apply(callNumber)}.
 */
public final class BenchKeySource implements KeySource {

    private final KeyRef ref;
    private final Backend backend;
    private final IntFunction<String> values;

    public BenchKeySource(String reference, Backend backend, IntFunction<String> values) {
        this(KeyRef.parse(Objects.requireNonNull(reference, "reference")), backend, values);
    }

    /** A source for a reference already parsed (as a provider receives it). */
    public BenchKeySource(KeyRef ref, Backend backend, IntFunction<String> values) {
        this.ref = Objects.requireNonNull(ref, "ref");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.values = Objects.requireNonNull(values, "values");
    }

    /** A source whose every fetch answers the same value. */
    public static BenchKeySource constant(String reference, Backend backend, String value) {
        Objects.requireNonNull(value, "value");
        return new BenchKeySource(reference, backend, n -> value);
    }

    @Override
    public KeyRef ref() {
        return ref;
    }

    @Override
    public Secret fetch() {
        int n;
        try {
            n = backend.call();
        } catch (Backend.Interrupted e) {
            throw new SourceInterruptedException(ref.toString(), "interrupted while fetching from the "
                    + "benchmark backend; the thread's interrupt flag is set");
        }
        return Secret.builder(values.apply(n)).version("v" + n).build();
    }
}
