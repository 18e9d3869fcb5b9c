package dev.keysource.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyManagementException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

/** The context of an http:// address: the JDK default's engines, made only when TLS is needed. */
class TlsLazyDefaultTest {

    @Test
    void engines_areTheDefaultContextsWithItsProtocolsAndSuites() throws Exception {
        SSLEngine lazy = Tls.lazyDefault().createSSLEngine("vault.example", 8200);
        SSLEngine jdk = SSLContext.getDefault().createSSLEngine("vault.example", 8200);

        assertThat(lazy.getEnabledProtocols()).containsExactly(jdk.getEnabledProtocols());
        assertThat(lazy.getEnabledCipherSuites()).containsExactly(jdk.getEnabledCipherSuites());
        assertThat(lazy.getPeerHost()).isEqualTo("vault.example");
    }

    @Test
    void defaultParameters_leaveTheEnginesDefaultsInPlace() throws Exception {
        SSLContext lazy = Tls.lazyDefault();
        SSLEngine e = lazy.createSSLEngine();
        String[] before = e.getEnabledProtocols();

        e.setSSLParameters(lazy.getDefaultSSLParameters()); // what the HTTP client does with them

        assertThat(e.getEnabledProtocols()).containsExactly(before);
    }

    @Test
    void init_isRefusedLikeTheDefaultContexts() {
        assertThatThrownBy(() -> Tls.lazyDefault().init(null, null, null)).isInstanceOf(KeyManagementException.class);
    }
}
