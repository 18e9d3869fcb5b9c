package dev.keysource.aws.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Caps every answer body the SDK reads at {@link #MAX_BYTES}: an endpoint that is not Secrets Manager (a
 * proxy, a misconfigured {@code endpoint}) could otherwise stream an endless body into the heap. Past the
 * cap the read fails with {@link TooLarge}, which {@link AwsErrors} reports as a misconfiguration, not
 * retried.
 *
 * <p>Why 1 MiB: a secret is at most 65,536 bytes ({@code SecretString} or {@code SecretBinary}, whose
 * base64 is about 87 KiB), and the rest of a {@code GetSecretValue} answer is a few hundred bytes.
 */
final class BoundedResponse implements ExecutionInterceptor {

    /** The largest answer body read from Secrets Manager: 1 MiB. */
    static final long MAX_BYTES = 1024L * 1024;

    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                                                           ExecutionAttributes attributes) {
        return context.responseBody().map(in -> new Counting(in, MAX_BYTES));
    }

    /** The answer was larger than the cap. Holds no byte of it. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(long limit) {
            super("the answer is larger than " + limit + " bytes");
        }
    }

    private static final class Counting extends FilterInputStream {
        private final long limit;
        private long seen;

        Counting(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count(skipped);
            return skipped;
        }

        private void count(long n) throws TooLarge {
            seen += n;
            if (seen > limit) {
                throw new TooLarge(limit);
            }
        }
    }
}
