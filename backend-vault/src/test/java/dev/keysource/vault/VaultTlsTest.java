package dev.keysource.vault;

import static dev.keysource.vault.VaultTests.env;
import static dev.keysource.vault.VaultTests.failure;
import static dev.keysource.vault.VaultTests.fetch;
import static dev.keysource.vault.VaultTests.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keysource.SourceMisconfiguredException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS with a private CA: a self-signed certificate generated with keytool for this run. */
class VaultTlsTest {

    static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path dir;

    @TempDir
    Path home;

    static Path caPem;
    static FakeVault vault;
    static String token;

    @BeforeAll
    static void startTls() throws Exception {
        Path keystore = dir.resolve("server.p12");
        caPem = dir.resolve("ca.pem");
        keytool("-genkeypair", "-alias", "vault", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
        keytool("-exportcert", "-rfc", "-alias", "vault", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", caPem.toString());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        vault = FakeVault.startTls(tls);
        vault.mountKv2("secret");
        vault.putKv("secret/app", Map.of("api_key", "over-tls"));
        token = vault.createToken(Duration.ZERO, false);
    }

    @AfterAll
    static void stop() {
        if (vault != null) {
            vault.close();
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("keytool %s: %s", args[0], out).isZero();
    }

    @Test
    void fetch_httpsWithVaultCacert_trustsPrivateCa() {
        assertThat(vault.address()).startsWith("https://127.0.0.1:");

        assertThat(fetch("vault:secret/app", env(vault, token, home, "VAULT_CACERT", caPem.toString()), 1).value())
                .isEqualTo("over-tls");
    }

    @Test
    void fetch_httpsWithVaultCapath_trustsEveryPemInDirectory() throws IOException {
        Path capath = Files.createDirectory(home.resolve("cas"));
        Files.copy(caPem, capath.resolve("vault-ca.pem"));

        assertThat(fetch("vault:secret/app", env(vault, token, home, "VAULT_CAPATH", capath.toString()), 1).value())
                .isEqualTo("over-tls");
    }

    @Test
    void fetch_httpsWithCacertSetting_trustsPrivateCa() {
        try (var f = key("vault:secret/app", env(vault, token, home)).setting("cacert", caPem.toString())
                .maxAttempts(1).buildFetcher()) {
            assertThat(f.fetch().value()).isEqualTo("over-tls");
        }
    }

    @Test
    void fetch_httpsWithoutCa_isMisconfiguredNamingVaultCacert() {
        SourceMisconfiguredException e = failure(SourceMisconfiguredException.class, "vault:secret/app",
                env(vault, token, home), token);

        assertThat(e.getMessage()).contains("TLS handshake failed", "VAULT_CACERT", vault.address());
    }

    @Test
    void fetch_httpsWithSkipVerify_connectsAndWarnsLoudly() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(fetch("vault:secret/app", env(vault, token, home, "VAULT_SKIP_VERIFY", "true"), 1).value())
                    .isEqualTo("over-tls");
        } finally {
            System.setErr(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("WARN", "TLS VERIFICATION IS OFF",
                vault.address(), "environment variable VAULT_SKIP_VERIFY", "VAULT_CACERT");
    }

    @Test
    void build_cacertNotPem_isMisconfigured() throws IOException {
        Path notPem = Files.writeString(home.resolve("ca.txt"), "not a certificate");

        SourceMisconfiguredException e = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> key("vault:secret/app", env(vault, token, home, "VAULT_CACERT", notPem.toString())).build());

        assertThat(e.getMessage()).contains("cacert (VAULT_CACERT) " + notPem, "PEM");
    }

    @Test
    void build_cacertMissing_isMisconfigured() {
        Path missing = home.resolve("nope.pem");

        SourceMisconfiguredException e = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> key("vault:secret/app", env(vault, token, home, "VAULT_CACERT", missing.toString())).build());

        assertThat(e.getMessage()).contains("cannot read cacert (VAULT_CACERT) " + missing);
    }

    @Test
    void build_skipVerifyNotBoolean_isMisconfigured() {
        SourceMisconfiguredException e = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> key("vault:secret/app", env(vault, token, home, "VAULT_SKIP_VERIFY", "maybe")).build());

        assertThat(e.getMessage()).contains("invalid setting 'skip-verify' = 'maybe'", "VAULT_SKIP_VERIFY",
                "true or false");
    }

    @Test
    void fetch_httpAddressRedirectedToHttps_verifiesWithTheJdkDefaultTrust() {
        // an http:// session builds no TLS context up front, but a redirect to https:// still gets the JDK's
        try (FakeVault standby = FakeVault.start()) {
            standby.redirectTo(vault.address());

            SourceMisconfiguredException e = failure(SourceMisconfiguredException.class, "vault:secret/app",
                    env(standby, token, home), token);

            assertThat(e.getMessage()).contains("TLS handshake failed", "VAULT_CACERT");
        }
    }

    @Test
    void fetch_httpAddressRedirectedToHttps_withVaultCacert_followsIt() {
        try (FakeVault standby = FakeVault.start()) {
            standby.redirectTo(vault.address());

            assertThat(fetch("vault:secret/app", env(standby, token, home, "VAULT_CACERT", caPem.toString()), 1)
                    .value()).isEqualTo("over-tls");
        }
    }
}
