package dev.keysource.aws;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback server that accepts each connection, reads the request head, and resets the connection
 * (TCP RST: SO_LINGER 0, then close). JDK only, so it can move to a shared test kit with
 * {@link FakeSecretsManager}.
 */
public final class ResettingServer implements AutoCloseable {

    private final ServerSocket socket;
    private final Thread acceptor;
    private final AtomicInteger connections = new AtomicInteger();

    private ResettingServer() throws IOException {
        socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = new Thread(this::run, "resetting-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static ResettingServer start() {
        try {
            return new ResettingServer();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the resetting server on 127.0.0.1", e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    /** Connections accepted (and reset) so far. */
    public int connections() {
        return connections.get();
    }

    private void run() {
        while (!socket.isClosed()) {
            try (Socket s = socket.accept()) {
                connections.incrementAndGet();
                readHead(s.getInputStream());
                s.setSoLinger(true, 0);
            } catch (IOException e) {
                // closed, or the client went away first
            }
        }
    }

    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
            acceptor.join(5000);
        } catch (IOException e) {
            // nothing to do
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
