/**
 * keysource core: the API ({@code dev.keysource}) and the SPI for backends ({@code dev.keysource.spi}).
 * Backends are found with {@link java.util.ServiceLoader}.
 */
module dev.keysource.core {
    requires transitive org.jspecify; // @Nullable and @NullMarked on the API
    requires org.slf4j;
    requires transitive java.net.http; // CachedKey.send(HttpClient, ...)
    requires com.github.benmanes.caffeine;
    requires io.github.resilience4j.core;
    requires io.github.resilience4j.retry;
    requires io.github.resilience4j.timelimiter;

    exports dev.keysource;
    exports dev.keysource.spi;

    uses dev.keysource.spi.KeySourceProvider;
}
