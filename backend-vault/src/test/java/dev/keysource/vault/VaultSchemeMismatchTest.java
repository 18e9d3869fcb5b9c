package dev.keysource.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keysource.KeyFetcher;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.testkit.Canary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code https://} in VAULT_ADDR for a Vault that speaks plain HTTP (and the reverse): misconfigured at
 * once, naming the address and the fix, on the first attempt and without waiting for the time limit.
 */
class VaultSchemeMismatchTest {

    static final String REF = "vault:secret/app#api_key";

    @TempDir
    Path home;

    @Test
    void httpsAgainstPlainHttpVault_failsAtOnceWithTlsMessage() {
        try (FakeVault vault = FakeVault.start()) {
            vault.mountKv2("secret/").putKv("secret/app", Map.of("api_key", Canary.SECRET));
            String token = vault.createToken(Duration.ofHours(1), true);
            String https = vault.address().replace("http://", "https://");
            Map<String, String> env = VaultTests.env(vault, token, home, "VAULT_ADDR", https);

            SourceMisconfiguredException e;
            try (KeyFetcher f = VaultTests.key(REF, env).maxAttempts(3).timeout(Duration.ofSeconds(30)).buildFetcher()) {
                e = catchThrowableOfType(SourceMisconfiguredException.class, f::fetch);
                assertThat(f.attempts()).as("not retried").isEqualTo(1);
            }

            assertThat(e).isNotNull().hasMessage(REF + ": TLS handshake with " + https + " failed: the server answered"
                    + " in plain HTTP; use http:// in VAULT_ADDR (or fix the server's TLS)");
            assertThat(e.isTransient()).isFalse();
            VaultTests.assertClean(e, token);
        }
    }

    @Test
    void httpsAgainstServerAnsweringPlainTextAtOnce_failsAtOnceWithTlsMessage() {
        // what Go's net/http (Vault with tls_disable) does when the ClientHello holds a line break
        try (RawServer plain = new RawServer("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Connection: close\r\n\r\n400 Bad Request")) {
            String https = "https://127.0.0.1:" + plain.port();
            SourceMisconfiguredException e;
            try (KeyFetcher f = VaultTests.key(REF, Map.of("VAULT_ADDR", https, "VAULT_TOKEN", "t", "HOME", home.toString())).maxAttempts(3)
                    .buildFetcher()) {
                e = catchThrowableOfType(SourceMisconfiguredException.class, f::fetch);
                assertThat(f.attempts()).as("not retried").isEqualTo(1);
            }

            assertThat(e).isNotNull().hasMessage(REF + ": TLS handshake with " + https + " failed: the server answered"
                    + " in plain HTTP; use http:// in VAULT_ADDR (or fix the server's TLS)");
            assertThat(plain.connections()).isEqualTo(1);
        }
    }

    @Test
    void httpAgainstTlsServerThatSaysSo_isMisconfiguredNamingHttps() {
        // what Go's crypto/tls server (Vault with TLS) answers to a plain-HTTP request
        try (RawServer tls = new RawServer("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS"
                + " server.\n")) {
            String http = "http://127.0.0.1:" + tls.port();
            SourceMisconfiguredException e;
            try (KeyFetcher f = VaultTests.key(REF, Map.of("VAULT_ADDR", http, "VAULT_TOKEN", "t", "HOME", home.toString())).maxAttempts(3)
                    .buildFetcher()) {
                e = catchThrowableOfType(SourceMisconfiguredException.class, f::fetch);
                assertThat(f.attempts()).as("not retried").isEqualTo(1);
            }

            assertThat(e).isNotNull().hasMessage(REF + ": the server at " + http + " expects TLS (it answered 400:"
                    + " Client sent an HTTP request to an HTTPS server); use https:// in VAULT_ADDR");
        }
    }

    /** A loopback server that reads once from each connection, writes {@code answer} and closes. */
    static final class RawServer implements AutoCloseable {
        private final ServerSocket socket;
        private final AtomicInteger connections = new AtomicInteger();

        RawServer(String answer) {
            try {
                socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        connections.incrementAndGet();
                        s.getInputStream().read(new byte[8192]);
                        s.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
                    } catch (IOException e) {
                        // closed, or the client went away
                    }
                }
            }, "raw-server");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
