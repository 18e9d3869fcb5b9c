package dev.keysource.aws.internal;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Marks client-side failures that happened after an HTTP answer arrived (a body the SDK could not
 * unmarshal: bad JSON, a bad base64 or date) so they are classified as an unreadable answer
 * (transient) rather than a client misconfiguration, by type rather than by message.
 */
final class ResponseMarker implements ExecutionInterceptor {

    @Override
    public Throwable modifyException(Context.FailedExecution context, ExecutionAttributes attributes) {
        Throwable t = context.exception();
        if (!(t instanceof SdkClientException) || t instanceof AwsServiceException || t instanceof AbortedException
                || t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException
                || context.httpResponse().isEmpty()) {
            return t;
        }
        int status = context.httpResponse().get().statusCode();
        return SdkClientException.builder()
                .message("the answer (HTTP " + status + ") could not be read")
                .cause(new UnreadableResponse(status, t))
                .build();
    }

    /** The answer arrived but could not be read. Its message holds only the status. */
    static final class UnreadableResponse extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        UnreadableResponse(int status, Throwable cause) {
            super("HTTP " + status, cause);
            this.status = status;
        }
    }
}
