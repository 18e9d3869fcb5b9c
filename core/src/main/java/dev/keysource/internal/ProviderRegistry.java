package dev.keysource.internal;

import dev.keysource.InvalidReferenceException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.spi.KeySourceProvider;
import dev.keysource.spi.ProviderDiscovery;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The providers found through {@link ProviderDiscovery} (or given explicitly). A provider that fails to
 * load is recorded and reported, never fatal to the others; two providers for one scheme make that
 * scheme unusable with an error naming both classes; an unknown scheme names the schemes found and
 * the artifact to add.
 */
public final class ProviderRegistry {

    /** Artifacts of the backends we ship, for the "add this dependency" hint. */
    private static final Map<String, String> KNOWN_ARTIFACTS = Map.of(
            "script", "dev.keysource:keysource-script",
            "vault", "dev.keysource:keysource-vault",
            "aws-sm", "dev.keysource:keysource-aws", "aws-sm-agent", "dev.keysource:keysource-aws-agent",
            "file", "dev.keysource:keysource-file");

    private final Map<String, List<KeySourceProvider>> byScheme;
    private final List<String> failures;

    private ProviderRegistry(Map<String, List<KeySourceProvider>> byScheme, List<String> failures) {
        this.byScheme = byScheme;
        this.failures = failures;
    }

    /** Loads providers visible to the class loader (the thread's context loader if null). */
    public static ProviderRegistry load(ClassLoader loader) {
        ProviderDiscovery found = ProviderDiscovery.load(loader);
        return of(found.providers(), new ArrayList<>(found.failures()));
    }

    /** A registry of the given providers (skips ServiceLoader). */
    public static ProviderRegistry of(List<? extends KeySourceProvider> providers, List<String> failures) {
        Map<String, List<KeySourceProvider>> byScheme = new TreeMap<>();
        for (KeySourceProvider p : providers) {
            String scheme;
            try {
                scheme = p.scheme();
            } catch (RuntimeException e) {
                failures.add(p.getClass().getName() + ": scheme() threw " + e);
                continue;
            }
            byScheme.computeIfAbsent(scheme, k -> new ArrayList<>()).add(p);
        }
        return new ProviderRegistry(byScheme, List.copyOf(failures));
    }

    /**
     * This registry with {@code overrides} added: each override serves its scheme, replacing whatever
     * discovery found for it (one or several); the other schemes stay as discovered.
     */
    public ProviderRegistry withOverrides(List<? extends KeySourceProvider> overrides) {
        if (overrides.isEmpty()) {
            return this;
        }
        Map<String, List<KeySourceProvider>> merged = new TreeMap<>(byScheme);
        List<String> fails = new ArrayList<>(failures);
        Map<String, KeySourceProvider> given = new LinkedHashMap<>();
        for (KeySourceProvider p : overrides) {
            String scheme;
            try {
                scheme = p.scheme();
            } catch (RuntimeException e) {
                fails.add(p.getClass().getName() + ": scheme() threw " + e);
                continue;
            }
            given.put(scheme, p); // the last one given for a scheme wins, as a later setter does
        }
        given.forEach((scheme, p) -> merged.put(scheme, List.of(p)));
        return new ProviderRegistry(merged, List.copyOf(fails));
    }

    /** The schemes found, sorted. */
    public List<String> schemes() {
        return new ArrayList<>(byScheme.keySet());
    }

    /** Descriptions of the providers that failed to load. */
    public List<String> failures() {
        return failures;
    }

    /** The provider for a scheme, or a typed error that says how to fix it. */
    public KeySourceProvider provider(String scheme, String reference) {
        List<KeySourceProvider> ps = byScheme.get(scheme);
        if (ps == null) {
            StringBuilder sb = new StringBuilder("unknown scheme '").append(scheme).append("'. ");
            sb.append(byScheme.isEmpty() ? "No keysource backends are on the classpath"
                    : "Schemes on the classpath: " + String.join(", ", byScheme.keySet()));
            sb.append('.');
            String artifact = KNOWN_ARTIFACTS.get(scheme);
            boolean failedToLoad = artifact != null && failures.stream().anyMatch(f -> f.contains("." + scheme + "."));
            if (failedToLoad) {
                sb.append(" Its provider is on the classpath but failed to load (below): fix that rather than adding"
                        + " a dependency.");
            } else if (artifact != null) {
                sb.append(" To use '").append(scheme).append("', add the dependency ").append(artifact).append('.');
            } else {
                sb.append(" Known schemes and their artifacts: ").append(new TreeMap<>(KNOWN_ARTIFACTS).entrySet().stream()
                        .map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", "))).append('.');
            }
            if (!failures.isEmpty()) {
                sb.append(" Providers that failed to load: ").append(String.join("; ", failures)).append('.');
            }
            throw new InvalidReferenceException(reference, sb.toString());
        }
        if (ps.size() > 1) {
            throw new SourceMisconfiguredException(reference, "two providers for scheme '" + scheme + "': "
                    + ps.stream().map(p -> p.getClass().getName()).collect(Collectors.joining(" and "))
                    + "; remove one of them from the classpath");
        }
        return ps.get(0);
    }

}
