package dev.keysource.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * For backends over HTTP: tells an {@code https://} address whose server speaks plain HTTP from a slow TLS
 * server. Such a server reads the TLS ClientHello as the start of an HTTP request line and waits for the
 * rest, so the handshake hangs until the time-out and looks like an unreachable server. When a request to an
 * {@code https://} address has not completed after {@link #AFTER}, one plain-HTTP {@code HEAD /} (no path,
 * no token, no header but {@code Host} and {@code Connection: close}) goes to the same host and port: a
 * plain-HTTP server answers it at once with a status line. A TLS server answers it with an alert, by
 * closing, or (Go's and nginx's) with a 400 that says an HTTP request reached an HTTPS port; those are not
 * taken for plain HTTP, and the request goes on waiting as before.
 */
public final class PlainHttpProbe {

    /** How long a request to an https:// address runs before the probe: far above a healthy handshake. */
    public static final Duration AFTER = Duration.ofSeconds(1);

    /**
     * The probe's own limit, to connect and again to read the answer: a loopback or LAN server answers in
     * milliseconds, but a loaded machine can take far longer, and a missed answer costs the whole time-out.
     */
    public static final Duration LIMIT = Duration.ofSeconds(2);

    private static final int MAX_ANSWER = 2048;

    private PlainHttpProbe() {
    }

    /** The server at an https:// address answered in plain HTTP. Holds only the host and port. */
    public static final class PlainHttpAnswer extends SSLException {
        private static final long serialVersionUID = 1L;

        /**
         * @param uri the https:// address of the request
         */
        public PlainHttpAnswer(URI uri) {
            super("the server at " + uri.getHost() + ":" + port(uri) + " answered in plain HTTP");
        }
    }

    /**
     * Whether the server of {@code uri} answers a plain-HTTP request with a plain-HTTP status line, within
     * {@link #LIMIT} to connect and {@link #LIMIT} to read; false on any failure.
     *
     * @param uri the https:// address of a request that has not completed
     * @return true if the server speaks plain HTTP
     */
    public static boolean answersPlainHttp(URI uri) {
        String host = uri.getHost();
        if (host == null) {
            return false;
        }
        int port = port(uri);
        int limit = (int) LIMIT.toMillis();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), limit);
            s.setSoTimeout(limit);
            OutputStream out = s.getOutputStream();
            out.write(("HEAD / HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] answer = new byte[MAX_ANSWER];
            int n = 0;
            try {
                for (int r; n < answer.length && (r = in.read(answer, n, answer.length - n)) >= 0; ) {
                    n += r;
                }
            } catch (IOException timedOutOrReset) {
                // decide on what has arrived
            }
            return isPlainHttp(new String(answer, 0, n, StandardCharsets.ISO_8859_1));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether a failure of a TLS connection says the server answered in plain text: a {@link PlainHttpAnswer},
     * or the JDK's "Unrecognized SSL message, plaintext connection?" ("Unsupported or unrecognized SSL
     * message" on newer JDKs) anywhere in the cause chain.
     *
     * @param t a failure of a request to an https:// address
     * @return true if the server answered in plain HTTP
     */
    public static boolean isPlainHttpAnswer(Throwable t) {
        for (Throwable x = t; x != null; x = x.getCause() == x ? null : x.getCause()) {
            if (x instanceof PlainHttpAnswer
                    || (x instanceof SSLException
                            && x.getMessage() != null
                            && (x.getMessage().contains("plaintext connection")
                                    || x.getMessage().contains("Unsupported or unrecognized SSL message")))) {
                return true;
            }
        }
        return false;
    }

    /** A status line, and no word of HTTPS (a TLS server's "plain HTTP request sent to an HTTPS port"). */
    static boolean isPlainHttp(String answer) {
        return answer.startsWith("HTTP/") && !answer.toLowerCase(Locale.ROOT).contains("https");
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : 443;
    }
}
