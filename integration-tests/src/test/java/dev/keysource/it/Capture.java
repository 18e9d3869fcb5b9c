package dev.keysource.it;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Captures what is written to System.out and System.err (where slf4j-simple logs) while it is open,
 * still passing it on to the streams it replaced (the canary extension's, which redact and scan).
 */
final class Capture implements AutoCloseable {

    private final PrintStream out;
    private final PrintStream err;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    private Capture() {
        this.out = System.out;
        this.err = System.err;
        System.setOut(new PrintStream(new Tee(out), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(err), true, StandardCharsets.UTF_8));
    }

    static Capture start() {
        return new Capture();
    }

    /** Everything captured so far. */
    String text() {
        System.out.flush();
        System.err.flush();
        synchronized (buffer) {
            return buffer.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        System.out.flush();
        System.err.flush();
        System.setOut(out);
        System.setErr(err);
    }

    private final class Tee extends OutputStream {
        private final OutputStream next;

        Tee(OutputStream next) {
            this.next = next;
        }

        @Override
        public void write(int b) {
            synchronized (buffer) {
                buffer.write(b);
            }
            try {
                next.write(b);
            } catch (java.io.IOException e) {
                // the capture goes on
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (buffer) {
                buffer.write(b, off, len);
            }
            try {
                next.write(b, off, len);
            } catch (java.io.IOException e) {
                // the capture goes on
            }
        }

        @Override
        public void flush() throws java.io.IOException {
            next.flush();
        }
    }
}
