package dev.keysource.aws.internal;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.utils.IoUtils;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * Wraps the credentials provider so that a failure to find credentials is recognisable by type when
 * it comes back out of the SDK (as the cause of an {@code SdkClientException}).
 */
final class CredentialsLookup implements AwsCredentialsProvider, SdkAutoCloseable {

    private final AwsCredentialsProvider delegate;

    CredentialsLookup(AwsCredentialsProvider delegate) {
        this.delegate = delegate;
    }

    @Override
    public AwsCredentials resolveCredentials() {
        try {
            return delegate.resolveCredentials();
        } catch (RuntimeException e) {
            throw new Failure(e);
        }
    }

    @Override
    public void close() {
        if (delegate instanceof AutoCloseable closeable) {
            IoUtils.closeQuietlyV2(closeable, null);
        }
    }

    @Override
    public String toString() {
        return "CredentialsLookup[" + delegate.getClass().getSimpleName() + "]";
    }

    /** No credentials could be found or loaded. The message is the SDK's, which names providers, not keys. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(RuntimeException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
