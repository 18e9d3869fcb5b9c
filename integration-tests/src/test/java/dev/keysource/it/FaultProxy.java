package dev.keysource.it;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A loopback HTTP/1.1 proxy in front of a fake backend (FakeVault, FakeSecretsManager) that injects
 * faults the fakes cannot: a body cut short, a connection reset in the middle of the body, a listener
 * that goes away (connection refused), a certificate nobody trusts; and the ones they can (statuses,
 * latency, raw bodies), uniformly for every backend.
 *
 * <p>One request per connection: every answer carries {@code Connection: close}, so each attempt of a
 * client is one connection and one request here, and counts are exact. Requests that match the active
 * fault get it and are counted in {@link #faulted()}; the others are forwarded to the upstream fake.
 * Plain or TLS ({@link #startTls}); the TLS context can be replaced while running ({@link Fault#tls}).
 */
final class FaultProxy implements AutoCloseable {

    /** One request as seen here. */
    static final class Request {
        final String method;
        /** The path without the leading {@code /v1/} (Vault) or {@code /}. */
        final String path;
        final Map<String, String> headers;
        /** Whether this request got the injected fault. */
        volatile boolean faulted;

        Request(String method, String path, Map<String, String> headers) {
            this.method = method;
            this.path = path;
            this.headers = headers;
        }

        @Override
        public String toString() {
            return method + " " + path + (faulted ? " (faulted)" : "");
        }
    }

    /** What the proxy does to a matching request. */
    static final class Fault {
        enum Kind { STATUS, DELAY, TRUNCATE, RESET_MID_BODY, DROP, TLS, ENDLESS }

        final Kind kind;
        final int status;
        final String contentType;
        final String body;
        final Duration delay;
        final SSLContext tls;

        private Fault(Kind kind, int status, String contentType, String body, Duration delay, SSLContext tls) {
            this.kind = kind;
            this.status = status;
            this.contentType = contentType;
            this.body = body;
            this.delay = delay;
            this.tls = tls;
        }

        /** Answers {@code status} with {@code body} instead of forwarding. */
        static Fault status(int status, String contentType, String body) {
            return new Fault(Kind.STATUS, status, contentType, body, null, null);
        }

        /** Holds the request {@code d} (or until the proxy closes), then forwards it. */
        static Fault delay(Duration d) {
            return new Fault(Kind.DELAY, 0, null, null, d, null);
        }

        /** Forwards, then sends the head (with the full Content-Length) and half the body, then FIN. */
        static Fault truncate() {
            return new Fault(Kind.TRUNCATE, 0, null, null, null, null);
        }

        /** Forwards, then sends the head and half the body, then a TCP reset (SO_LINGER 0). */
        static Fault resetMidBody() {
            return new Fault(Kind.RESET_MID_BODY, 0, null, null, null, null);
        }

        /**
         * Answers 200 {@code contentType} with {@code start}, then spaces in chunks, until the client hangs up
         * (or the proxy closes): an endless chunked body.
         */
        static Fault endless(String contentType, String start) {
            return new Fault(Kind.ENDLESS, 200, contentType, start, null, null);
        }

        /** Reads the request and closes the connection without an answer. */
        static Fault drop() {
            return new Fault(Kind.DROP, 0, null, null, null, null);
        }

        /** New connections are served with this TLS context (a certificate the client does not trust). */
        static Fault tls(SSLContext context) {
            return new Fault(Kind.TLS, 0, null, null, null, Objects.requireNonNull(context, "context"));
        }
    }

    private final ServerSocket listener;
    private final String upstreamHost;
    private final int upstreamPort;
    private final String scheme;
    private final ExecutorService pool;
    private final Thread acceptor;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger faulted = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger faultedConnections = new AtomicInteger();
    private volatile boolean refusing;
    private volatile SSLContext tls;
    private volatile Predicate<Request> match = r -> false;
    private volatile Fault fault;
    private final AtomicInteger remaining = new AtomicInteger();

    private FaultProxy(URI upstream, SSLContext tls) throws IOException {
        this.upstreamHost = upstream.getHost();
        this.upstreamPort = upstream.getPort();
        this.tls = tls;
        this.scheme = tls == null ? "http" : "https";
        this.listener = new ServerSocket();
        this.listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fault-proxy-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::accept, "fault-proxy-acceptor");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /** A plain-HTTP proxy to {@code upstream} ({@code http://127.0.0.1:PORT}). */
    static FaultProxy start(URI upstream) {
        try {
            return new FaultProxy(upstream, null);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fault proxy", e);
        }
    }

    /** An HTTPS proxy (serving with {@code tls}) to the plain-HTTP {@code upstream}. */
    static FaultProxy startTls(URI upstream, SSLContext tls) {
        try {
            return new FaultProxy(upstream, Objects.requireNonNull(tls, "tls"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fault proxy", e);
        }
    }

    /** {@code http(s)://127.0.0.1:PORT}. */
    String address() {
        return scheme + "://127.0.0.1:" + listener.getLocalPort();
    }

    /** Every matching request from now on gets {@code f}. */
    FaultProxy inject(Predicate<Request> which, Fault f) {
        return inject(which, f, Integer.MAX_VALUE);
    }

    /** The next {@code times} matching requests (connections, for {@link Fault#tls}) get {@code f}. */
    synchronized FaultProxy inject(Predicate<Request> which, Fault f, int times) {
        this.match = Objects.requireNonNull(which, "which");
        this.remaining.set(times);
        this.fault = Objects.requireNonNull(f, "f");
        return this;
    }

    /** Stops injecting; later requests are forwarded. */
    synchronized FaultProxy clear() {
        this.fault = null;
        this.match = r -> false;
        return this;
    }

    /**
     * Closes the listening socket: new connections are refused from now on. Waits for the acceptor to
     * stop (a socket closed while a thread accepts on it is released only when that thread returns, and
     * may accept one more connection meanwhile, which is then reset, not served).
     */
    void refuse() {
        refusing = true;
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
        if (Thread.currentThread() != acceptor) {
            try {
                acceptor.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Requests (or TLS connections) that got the injected fault. */
    int faulted() {
        return faulted.get();
    }

    /** Connections served with an injected TLS context. */
    int faultedConnections() {
        return faultedConnections.get();
    }

    /** Connections accepted (since the last {@link #resetCounts()}). */
    int connections() {
        return connections.get();
    }

    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    void resetCounts() {
        faulted.set(0);
        faultedConnections.set(0);
        connections.set(0);
        requests.clear();
    }

    @Override
    public void close() {
        closing.countDown();
        refuse();
        for (Socket s : open) {
            closeQuietly(s);
        }
        pool.shutdownNow();
        try {
            acceptor.join(2000);
            pool.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------------------------------------

    private void accept() {
        while (!listener.isClosed()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (refusing) {
                try {
                    s.setSoLinger(true, 0);
                } catch (IOException e) {
                    // closing anyway
                }
                closeQuietly(s);
                return;
            }
            connections.incrementAndGet();
            open.add(s);
            try {
                pool.execute(() -> serve(s));
            } catch (RuntimeException e) {
                closeQuietly(s);
            }
        }
    }

    /** Takes the fault for this request if it matches and some are left, else null. */
    private synchronized Fault take(Request r, boolean connectionLevel) {
        Fault f = fault;
        if (f == null || (f.kind == Fault.Kind.TLS) != connectionLevel || (r != null && !match.test(r))) {
            return null;
        }
        if (remaining.get() != Integer.MAX_VALUE && remaining.getAndDecrement() <= 0) {
            return null;
        }
        faulted.incrementAndGet();
        if (r != null) {
            r.faulted = true;
        } else {
            faultedConnections.incrementAndGet();
        }
        return f;
    }

    private void serve(Socket raw) {
        Socket s = raw;
        try {
            s.setSoTimeout(30_000);
            if (tls != null) {
                Fault tlsFault = take(null, true);
                SSLContext ctx = tlsFault != null ? tlsFault.tls : tls;
                SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(raw, null, raw.getPort(), true);
                ssl.setUseClientMode(false);
                open.add(ssl);
                s = ssl;
                ssl.startHandshake();
            }
            InputStream in = s.getInputStream();
            byte[] head = Http.readHead(in);
            if (head == null) {
                return;
            }
            Http.Message req = Http.parse(head);
            byte[] body = Http.readBody(in, req, true);
            String target = req.startLine.split(" ")[1];
            String path = target.startsWith("/v1/") ? target.substring(4) : target.substring(1);
            int q = path.indexOf('?');
            Request r = new Request(req.startLine.split(" ")[0], q < 0 ? path : path.substring(0, q), req.headers);
            requests.add(r);
            Fault f = take(r, false);
            OutputStream out = s.getOutputStream();
            if (f == null) {
                Http.write(out, forward(req, body), Integer.MAX_VALUE);
                return;
            }
            switch (f.kind) {
                case STATUS:
                    Http.write(out, Http.response(f.status, f.contentType, f.body), Integer.MAX_VALUE);
                    return;
                case DELAY:
                    if (closing.await(f.delay.toMillis(), TimeUnit.MILLISECONDS)) {
                        return;
                    }
                    Http.write(out, forward(req, body), Integer.MAX_VALUE);
                    return;
                case DROP:
                    return;
                case ENDLESS: {
                    out.write(("HTTP/1.1 200 OK\r\ncontent-type: " + f.contentType
                            + "\r\ntransfer-encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    byte[] first = f.body.getBytes(StandardCharsets.UTF_8);
                    out.write((Integer.toHexString(first.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(first);
                    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    byte[] chunk = new byte[64 * 1024];
                    java.util.Arrays.fill(chunk, (byte) ' ');
                    byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
                    byte[] crlf = "\r\n".getBytes(StandardCharsets.ISO_8859_1);
                    while (closing.getCount() > 0) { // until the client hangs up (an IOException ends it)
                        out.write(size);
                        out.write(chunk);
                        out.write(crlf);
                    }
                    return;
                }
                case TRUNCATE: {
                    Http.Message resp = forward(req, body);
                    Http.write(out, resp, resp.body.length / 2);
                    out.flush();
                    return;
                }
                case RESET_MID_BODY: {
                    Http.Message resp = forward(req, body);
                    Http.write(out, resp, resp.body.length / 2);
                    out.flush();
                    raw.setSoLinger(true, 0);
                    raw.close();
                    return;
                }
                default:
                    throw new IllegalStateException(f.kind.toString());
            }
        } catch (IOException e) {
            // the client went away, a handshake failed, or we reset it on purpose
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(s);
            closeQuietly(raw);
            open.remove(s);
            open.remove(raw);
        }
    }

    /** One request to the upstream fake, on a connection of its own; the whole answer, de-chunked. */
    private Http.Message forward(Http.Message req, byte[] body) throws IOException {
        try (Socket up = new Socket(upstreamHost, upstreamPort)) {
            up.setSoTimeout(30_000);
            OutputStream o = up.getOutputStream();
            StringBuilder h = new StringBuilder(req.startLine).append("\r\n");
            req.headers.forEach((k, v) -> {
                if (!k.equals("connection") && !k.equals("keep-alive") && !k.equals("transfer-encoding")
                        && !k.equals("content-length")) {
                    h.append(k).append(": ").append(v).append("\r\n");
                }
            });
            h.append("content-length: ").append(body.length).append("\r\n");
            h.append("connection: close\r\n\r\n");
            o.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
            o.write(body);
            o.flush();
            InputStream in = up.getInputStream();
            byte[] head = Http.readHead(in);
            if (head == null) {
                throw new EOFException("the upstream fake closed without an answer");
            }
            Http.Message resp = Http.parse(head);
            resp.body = Http.readBody(in, resp, false);
            return resp;
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** Just enough HTTP/1.1 for the proxy. */
    static final class Http {
        static final class Message {
            final String startLine;
            final Map<String, String> headers;
            byte[] body = new byte[0];

            Message(String startLine, Map<String, String> headers) {
                this.startLine = startLine;
                this.headers = headers;
            }
        }

        private Http() {
        }

        /** The head up to the blank line, or null at EOF before any byte. */
        static byte[] readHead(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int state = 0;
            while (state < 4) {
                int c = in.read();
                if (c < 0) {
                    if (b.size() == 0) {
                        return null;
                    }
                    throw new EOFException("EOF inside an HTTP head");
                }
                b.write(c);
                state = (c == '\r' && (state == 0 || state == 2)) ? state + 1
                        : (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            }
            return b.toByteArray();
        }

        static Message parse(byte[] head) {
            String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim());
                }
            }
            return new Message(lines[0], headers);
        }

        /** The body by Content-Length, chunked (decoded), or (answers only) up to EOF. */
        static byte[] readBody(InputStream in, Message m, boolean request) throws IOException {
            String te = m.headers.get("transfer-encoding");
            if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                while (true) {
                    String sizeLine = line(in);
                    int semi = sizeLine.indexOf(';');
                    int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                    if (size == 0) {
                        while (!line(in).isEmpty()) {
                            // trailers
                        }
                        return b.toByteArray();
                    }
                    b.write(in.readNBytes(size));
                    line(in);
                }
            }
            String cl = m.headers.get("content-length");
            if (cl != null) {
                int n = Integer.parseInt(cl.trim());
                byte[] body = in.readNBytes(n);
                if (body.length < n) {
                    throw new EOFException("body shorter than its Content-Length");
                }
                return body;
            }
            return request ? new byte[0] : in.readAllBytes();
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            if (c < 0) {
                throw new EOFException("EOF inside a chunked body");
            }
            return sb.toString();
        }

        static Message response(int status, String contentType, String body) {
            Map<String, String> h = new LinkedHashMap<>();
            if (contentType != null) {
                h.put("content-type", contentType);
            }
            Message m = new Message("HTTP/1.1 " + status + " " + reason(status), h);
            m.body = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            return m;
        }

        private static String reason(int status) {
            switch (status) {
                case 200: return "OK";
                case 400: return "Bad Request";
                case 403: return "Forbidden";
                case 404: return "Not Found";
                case 412: return "Precondition Failed";
                case 429: return "Too Many Requests";
                case 500: return "Internal Server Error";
                case 502: return "Bad Gateway";
                case 503: return "Service Unavailable";
                default: return "Status";
            }
        }

        /** Writes the answer with its full Content-Length, but only the first {@code bodyBytes} of the body. */
        static void write(OutputStream out, Message m, int bodyBytes) throws IOException {
            StringBuilder h = new StringBuilder(m.startLine).append("\r\n");
            m.headers.forEach((k, v) -> {
                if (!k.equals("connection") && !k.equals("keep-alive") && !k.equals("transfer-encoding")
                        && !k.equals("content-length")) {
                    h.append(k).append(": ").append(v).append("\r\n");
                }
            });
            h.append("content-length: ").append(m.body.length).append("\r\n");
            h.append("connection: close\r\n\r\n");
            try {
                out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
                out.write(m.body, 0, Math.min(bodyBytes, m.body.length));
                out.flush();
            } catch (SocketException e) {
                // the client went away
            }
        }
    }
}
