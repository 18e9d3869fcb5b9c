package dev.keysource.vault.internal;

import dev.keysource.SourceMisconfiguredException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS context for one Vault address, as the {@code vault} command line builds it: the JDK's
 * default trust unless {@code VAULT_CACERT} (a PEM file, possibly a bundle) or {@code VAULT_CAPATH} (a
 * directory of PEM files) name the CAs to trust instead; {@code VAULT_SKIP_VERIFY} trusts anything.
 *
 * <p>We build the {@link SSLContext} ourselves rather than through the driver's {@code SslConfig},
 * which reads only the first certificate of a PEM bundle and pins TLS 1.2.
 */
final class Tls {

    private Tls() {
    }

    /**
     * For an {@code http://} address with no CA setting: the JDK's default context, made only when a TLS
     * connection is first needed (a redirect to an {@code https://} address), not when the HTTP client is
     * built. Building it parses the JDK's trust store ({@code cacerts}) and loads the security providers:
     * the largest single step of a Vault CLI start, for nothing on plain HTTP (benchmarks/RESULTS.md, section 4).
     * The client asks for default parameters when it is built; those are left empty, so each engine keeps the
     * default context's own protocols and cipher suites.
     */
    static SSLContext lazyDefault() {
        return new SSLContext(new LazyDefault(), null, "Default") {
        };
    }

    /** Delegates every operation to {@link SSLContext#getDefault()}, fetched at the first one. */
    private static final class LazyDefault extends SSLContextSpi {

        private static SSLContext context() {
            try {
                return SSLContext.getDefault();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK has no default TLS context", e);
            }
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random)
                throws KeyManagementException {
            throw new KeyManagementException("the default TLS context is initialised by the JDK");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return context().getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return context().getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return context().createSSLEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return context().createSSLEngine(host, port);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return context().getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return context().getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return new SSLParameters(); // no protocols or suites set: an engine keeps its context's defaults
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return context().getSupportedSSLParameters();
        }
    }

    /** The context to use, or null for the JDK default. */
    static SSLContext context(String reference, Path cacert, Path capath, boolean skipVerify) {
        try {
            if (skipVerify) {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {new TrustAll()}, null);
                return ctx;
            }
            if (cacert == null && capath == null) {
                return null;
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int n = 0;
            if (cacert != null) {
                n += add(reference, trust, cacert, "cacert (VAULT_CACERT)", n);
            }
            if (capath != null) {
                if (!Files.isDirectory(capath)) {
                    throw new SourceMisconfiguredException(reference, "capath (VAULT_CAPATH) " + capath
                            + " is not a directory; point it at a directory of PEM certificates, or use VAULT_CACERT"
                            + " for one file");
                }
                List<Path> files = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(capath)) {
                    for (Path p : ds) {
                        if (Files.isRegularFile(p)) {
                            files.add(p);
                        }
                    }
                }
                files.sort(null);
                for (Path p : files) {
                    n += add(reference, trust, p, "a file in capath (VAULT_CAPATH)", n);
                }
            }
            if (n == 0) {
                throw new SourceMisconfiguredException(reference, "no certificates found in "
                        + (cacert != null ? "cacert " + cacert : "") + (cacert != null && capath != null ? " or " : "")
                        + (capath != null ? "capath " + capath : "") + "; they must hold PEM certificates"
                        + " (-----BEGIN CERTIFICATE-----)");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new SourceMisconfiguredException(reference, "cannot set up TLS for Vault ("
                    + e.getClass().getSimpleName() + ": " + VaultErrors.oneLine(e.getMessage()) + ")", e);
        }
    }

    private static int add(String reference, KeyStore trust, Path file, String what, int offset)
            throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(file)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (CertificateException e) {
            throw new SourceMisconfiguredException(reference, what + " " + file
                    + " does not hold PEM certificates (" + VaultErrors.oneLine(e.getMessage()) + ")");
        } catch (IOException e) {
            throw new SourceMisconfiguredException(reference, "cannot read " + what + " " + file
                    + " (" + e.getClass().getSimpleName() + "); check that it exists and is readable");
        }
        int i = 0;
        for (Certificate c : certs) {
            trust.setCertificateEntry("ca-" + (offset + i++), c);
        }
        return i;
    }

    /** {@code VAULT_SKIP_VERIFY}: no chain and no host-name check. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
