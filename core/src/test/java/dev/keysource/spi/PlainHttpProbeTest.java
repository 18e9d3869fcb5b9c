package dev.keysource.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** What is taken for a plain-HTTP server behind an https:// address, and what is not. */
class PlainHttpProbeTest {

    @Test
    void aPlainStatusLine_isPlainHttp() {
        assertThat(PlainHttpProbe.isPlainHttp("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")).isTrue();
        assertThat(PlainHttpProbe.isPlainHttp("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n400 Bad Request"))
                .isTrue();
    }

    @Test
    void aTlsServersAnswerToPlainHttp_isNotPlainHttp() {
        // Go's crypto/tls (Vault with TLS) and nginx answer a plain request on a TLS port with a 400 saying so
        assertThat(PlainHttpProbe.isPlainHttp("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an"
                + " HTTPS server.\n")).isFalse();
        assertThat(PlainHttpProbe.isPlainHttp("HTTP/1.1 400 Bad Request\r\n\r\n<center>The plain HTTP request was"
                + " sent to HTTPS port</center>")).isFalse();
        assertThat(PlainHttpProbe.isPlainHttp("\u0015\u0003\u0003\u0000\u0002\u0002\u0032")).isFalse(); // a TLS alert
        assertThat(PlainHttpProbe.isPlainHttp("")).isFalse(); // closed
    }

    @Test
    void plainHttpAnswer_isFoundInTheCauseChain_andOtherTlsFailuresAreNot() {
        assertThat(PlainHttpProbe.isPlainHttpAnswer(new RuntimeException(new PlainHttpProbe.PlainHttpAnswer(
                URI.create("https://127.0.0.1:8200/v1/x"))))).isTrue();
        assertThat(PlainHttpProbe.isPlainHttpAnswer(new IOException(new SSLException(
                "Unrecognized SSL message, plaintext connection?")))).isTrue();
        assertThat(PlainHttpProbe.isPlainHttpAnswer(new SSLHandshakeException("PKIX path building failed"))).isFalse();
        assertThat(PlainHttpProbe.isPlainHttpAnswer(new IOException("Connection reset"))).isFalse();
    }

    @Test
    void plainHttpAnswer_namesOnlyHostAndPort() {
        assertThat(new PlainHttpProbe.PlainHttpAnswer(URI.create("https://vault.example:8200/v1/secret/data/app?x=1"))
                .getMessage()).isEqualTo("the server at vault.example:8200 answered in plain HTTP");
    }
}
