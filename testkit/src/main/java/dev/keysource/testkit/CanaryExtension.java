package dev.keysource.testkit;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test whose stdout, stderr (where SLF4J's simple binding logs) or thrown exception contains
 * {@link Canary#SECRET}. Registered for automatic detection
 * ({@code junit.jupiter.extensions.autodetection.enabled=true}, set for every module by the parent POM),
 * so every test in the suite is covered, not only those that remember it.
 */
public final class CanaryExtension implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(CanaryExtension.class);

    /** Created by JUnit through {@link java.util.ServiceLoader} (auto-detection) or {@code @ExtendWith}. */
    public CanaryExtension() {
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        context.getStore(NS).put("state", new Object[] {captured, out, err});
        System.setOut(new PrintStream(new Tee(out, captured), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(err, captured), true, StandardCharsets.UTF_8));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Object[] state = (Object[]) context.getStore(NS).remove("state");
        if (state == null) {
            return;
        }
        System.out.flush();
        System.err.flush();
        System.setOut((PrintStream) state[1]);
        System.setErr((PrintStream) state[2]);
        String text;
        synchronized (state[0]) {
            text = ((ByteArrayOutputStream) state[0]).toString(StandardCharsets.UTF_8);
        }
        Canary.assertAbsent("the test's stdout/stderr/logs", text);
        context.getExecutionException().ifPresent(Canary::assertAbsent);
    }

    /**
     * Copies everything into the capture buffer and forwards it, line by line, to the original stream
     * with the canary redacted, so a leak fails the test without printing the secret in the build log.
     */
    private static final class Tee extends OutputStream {
        private final OutputStream original;
        private final ByteArrayOutputStream capture;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Tee(OutputStream original, ByteArrayOutputStream capture) {
            this.original = original;
            this.capture = capture;
        }

        @Override
        public synchronized void write(int x) {
            synchronized (capture) {
                capture.write(x);
            }
            line.write(x);
            if (x == '\n') {
                forward();
            }
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(buf[i]);
            }
        }

        @Override
        public synchronized void flush() throws java.io.IOException {
            forward();
            original.flush();
        }

        private void forward() {
            if (line.size() == 0) {
                return;
            }
            String text = line.toString(StandardCharsets.UTF_8).replace(Canary.SECRET, "<CANARY>");
            line.reset();
            try {
                original.write(text.getBytes(StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                // the original stream failed; the capture goes on
            }
        }
    }
}
