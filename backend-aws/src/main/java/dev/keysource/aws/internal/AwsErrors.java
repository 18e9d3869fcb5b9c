package dev.keysource.aws.internal;

import dev.keysource.InternalKeySourceException;
import dev.keysource.KeySourceException;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.SourceInterruptedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.SourceTimeoutException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.spi.PlainHttpProbe;
import dev.keysource.spi.Printable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;

/**
 * Classifies what the SDK throws, once, by AWS error code (not HTTP status: throttling is a 400):
 * <ul>
 *   <li>transient ({@link SourceUnavailableException}): throttling codes, {@code InternalServiceError},
 *       other 5xx, connection failures, unreadable responses; timeouts as {@link SourceTimeoutException};</li>
 *   <li>rejected ({@link SourceAccessDeniedException}): {@code AccessDeniedException},
 *       {@code UnrecognizedClientException}, {@code InvalidSignatureException}, expired tokens, clock skew;</li>
 *   <li>not found ({@link SecretNotFoundException}): {@code ResourceNotFoundException};</li>
 *   <li>misconfigured ({@link SourceMisconfiguredException}): a region the endpoint refuses
 *       ({@code InvalidSignatureException} "Credential should be scoped to a valid region", or a region the
 *       SDK does not know whose endpoint does not resolve), named with its origin; {@code DecryptionFailure},
 *       {@code InvalidRequestException}, {@code InvalidParameterException}, other 4xx, missing credentials.</li>
 * </ul>
 * Messages carry the reference, secret id, stage or version, region, endpoint, error code and request
 * id, and the AWS message (which names principals and resources, never values). They never carry the
 * secret, a credential, or the text of a response body the SDK could not parse.
 */
final class AwsErrors {

    static final Set<String> TRANSIENT = Set.of(
            "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException",
            "RequestThrottledException", "RequestThrottled", "RequestLimitExceeded", "SlowDown",
            "ProvisionedThroughputExceededException", "BandwidthLimitExceeded", "EC2ThrottledException",
            "PriorRequestNotComplete", "TransactionInProgressException",
            "InternalServiceError", "InternalServiceErrorException", "InternalFailure", "InternalError",
            "InternalServerError", "ServiceUnavailable", "ServiceUnavailableException", "RequestTimeout",
            "RequestTimeoutException");

    static final Set<String> REJECTED = Set.of(
            "AccessDeniedException", "AccessDenied", "UnrecognizedClientException", "InvalidClientTokenId",
            "InvalidAccessKeyId", "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature",
            "IncompleteSignatureException", "MissingAuthenticationToken", "MissingAuthenticationTokenException",
            "ExpiredTokenException", "ExpiredToken", "TokenRefreshRequired", "InvalidToken", "AuthFailure",
            "NotAuthorized", "RequestExpired", "RequestTimeTooSkewed", "RequestInTheFuture");

    static final Set<String> NOT_FOUND = Set.of("ResourceNotFoundException");

    /** What to do next, by error code. */
    private static final Map<String, String> ADVICE = Map.ofEntries(
            Map.entry("AccessDeniedException", "The caller's IAM identity needs secretsmanager:GetSecretValue on this "
                    + "secret (and kms:Decrypt on its KMS key if that is a customer managed key); credentials used: %s"),
            Map.entry("UnrecognizedClientException", "AWS does not know the access key: check the credentials (%s) "
                    + "and that they belong to this region's partition"),
            Map.entry("InvalidClientTokenId", "AWS does not know the access key: check the credentials (%s)"),
            Map.entry("InvalidSignatureException", "The request signature does not match: check that the secret "
                    + "access key belongs to the access key id (%s), and the machine's clock"),
            Map.entry("SignatureDoesNotMatch", "The request signature does not match: check that the secret access "
                    + "key belongs to the access key id (%s)"),
            Map.entry("ExpiredTokenException", "The session token has expired: get fresh credentials (for example "
                    + "'aws sso login', or new STS credentials) (%s)"),
            Map.entry("ExpiredToken", "The session token has expired: get fresh credentials (%s)"),
            Map.entry("RequestExpired", "The request's timestamp is too old or too new: check the machine's clock (NTP)"),
            Map.entry("RequestTimeTooSkewed", "The machine's clock is off: check it (NTP)"),
            Map.entry("ResourceNotFoundException", "Check the secret name or ARN, the region and the stage or version "
                    + "id ('aws secretsmanager list-secret-version-ids --secret-id NAME' lists versions and stages)"),
            Map.entry("DecryptionFailure", "Secrets Manager cannot decrypt the secret with its KMS key: check that the "
                    + "key exists and is enabled, and that the caller may use it (kms:Decrypt)"),
            Map.entry("InvalidRequestException", "The secret cannot be read in its present state (for example it is "
                    + "scheduled for deletion: 'aws secretsmanager restore-secret --secret-id NAME' restores it)"),
            Map.entry("InvalidParameterException", "A request parameter is not valid: check the secret id and the "
                    + "'stage' and 'version' options"),
            Map.entry("ThrottlingException", "Secrets Manager is throttling requests; keysource retries with backoff. If "
                    + "it persists, lower the request rate (a longer 'ttl') or ask for a higher quota"),
            Map.entry("InternalServiceError", "An error inside Secrets Manager; keysource retries with backoff"));

    private static final int MAX_AWS_MESSAGE = 300;
    private static final int MAX_CREDENTIALS_MESSAGE = 400;

    private final String reference;
    private final Target target;
    private final Where where;

    AwsErrors(String reference, Target target, Where where) {
        this.reference = reference;
        this.target = target;
        this.where = where;
    }

    /** "secret 'x' (stage AWSCURRENT) in region r at endpoint". */
    String target() {
        return target.describe() + " " + where.describe();
    }

    /** An error answer from Secrets Manager. */
    KeySourceException service(AwsServiceException e) {
        AwsErrorDetails details = e.awsErrorDetails();
        String code = details != null ? details.errorCode() : null;
        int status = e.statusCode();
        String requestId = e.requestId() != null ? Printable.escape(e.requestId()) : null;
        String awsMessage = details != null ? clip(details.errorMessage(), MAX_AWS_MESSAGE) : null;
        if (awsMessage != null && awsMessage.endsWith(".")) {
            awsMessage = awsMessage.substring(0, awsMessage.length() - 1);
        }

        StringBuilder what = new StringBuilder("AWS Secrets Manager answered ")
                .append(code != null && !code.isEmpty() ? Printable.escape(code) : "an error without an error code")
                .append(" (HTTP ").append(status).append(", request id ").append(requestId != null ? requestId : "none")
                .append(") reading the ").append(target());
        if (awsMessage != null && !awsMessage.isEmpty()) {
            what.append(": ").append(awsMessage);
        }
        if ("InvalidSignatureException".equals(code) && awsMessage != null
                && awsMessage.toLowerCase(Locale.ROOT).contains("scoped to a valid region")) {
            // the endpoint serves another region than the one the request was signed for: not the keys
            return new SourceMisconfiguredException(reference, regionIsTheProblem() + ": AWS Secrets Manager"
                    + (where.endpoint() != null ? " at " + where.endpoint() : "") + " refused it reading the "
                    + target.describe() + ": " + awsMessage + " (" + code + ", HTTP " + status + ", request id "
                    + (requestId != null ? requestId : "none") + "). " + SET_REGION
                    + (where.endpoint() != null ? ", or an endpoint of that region" : ""), e);
        }
        String advice = code != null ? ADVICE.get(code) : null;
        if ((code != null && TRANSIENT.contains(code))
                || ((code == null || !known(code)) && (status >= 500 || status == 429 || status == 408))
                || e.isThrottlingException()) {
            return new SourceUnavailableException(reference, what + ". " + (advice != null ? advice
                    : "A transient failure; keysource retries with backoff"), e);
        }
        if ((code != null && REJECTED.contains(code))
                || ((code == null || !known(code)) && (status == 401 || status == 403))) {
            return new SourceAccessDeniedException(reference, what + ". " + String.format(advice != null ? advice
                    : "Check the credentials (%s) and their IAM permissions", where.credentials()), e);
        }
        if (code != null && NOT_FOUND.contains(code)) {
            return new SecretNotFoundException(reference, what + ". " + advice, e);
        }
        return new SourceMisconfiguredException(reference, what + ". " + (advice != null ? advice
                : "Check the reference and its options" + (code == null || code.isEmpty()
                ? ", and that the endpoint is Secrets Manager" : "")), e);
    }

    /**
     * A failure on the client side: a timeout, an interrupt, no credentials, an unreadable answer, a
     * connection failure; or something the SDK should not have thrown.
     */
    KeySourceException client(RuntimeException e) {
        List<Throwable> chain = chain(e);
        CredentialProcess.Failed process = find(chain, CredentialProcess.Failed.class);
        if (process != null && process.timedOut) {
            boolean sdkTimeout = has(chain, ApiCallTimeoutException.class)
                    || has(chain, ApiCallAttemptTimeoutException.class);
            if (sdkTimeout || !process.interrupted || !Thread.currentThread().isInterrupted()) {
                if (sdkTimeout) {
                    Thread.interrupted(); // the SDK interrupts the calling thread to end a timed-out call
                }
                return new SourceTimeoutException(reference, "no AWS credentials in time to read the "
                        + target() + ": " + process.getMessage(), null);
            }
            // a real interrupt: reported as one below
        }
        if (PlainHttpProbe.isPlainHttpAnswer(e)) {
            // an https:// endpoint whose server speaks plain HTTP: the same on every attempt
            return new SourceMisconfiguredException(reference, "TLS handshake with " + where.endpoint()
                    + " failed: the server answered in plain HTTP; use http:// in the endpoint (?endpoint=,"
                    + " AWS_ENDPOINT_URL_SECRETS_MANAGER or AWS_ENDPOINT_URL), or fix the server's TLS",
                    null);
        }
        if (has(chain, ApiCallTimeoutException.class) || has(chain, ApiCallAttemptTimeoutException.class)
                || has(chain, SocketTimeoutException.class)) {
            Thread.interrupted(); // the SDK interrupts the calling thread to end a timed-out call
            return new SourceTimeoutException(reference, "AWS Secrets Manager did not answer in time "
                    + "reading the " + target() + "; check network access to the endpoint (proxy, VPC endpoint, "
                    + "security groups), or raise 'timeout' (KEYSOURCE_TIMEOUT_MS)", e);
        }
        if (has(chain, AbortedException.class) || has(chain, InterruptedException.class)
                || has(chain, InterruptedIOException.class) || Thread.currentThread().isInterrupted()) {
            Thread.currentThread().interrupt();
            return new SourceInterruptedException(reference, "interrupted while reading the " + target(),
                    null);
        }
        for (Throwable t : chain) {
            if (t instanceof CredentialProcess.Failed f) {
                // keysource ran the profile's credential_process: its message is bounded and escaped

                return new SourceMisconfiguredException(
                        reference, "no usable AWS credentials to read the " + target() + ": " + f.getMessage(), null);
            }
        }
        for (Throwable t : chain) {
            if (t instanceof CredentialsLookup.Failure) {
                // the credential providers' messages name providers, variables and profiles, never keys
                return new SourceMisconfiguredException(reference, "no usable AWS credentials to read the "
                        + target() + " with " + where.credentials() + ": " + clip(credentialsProblem(t.getMessage()),
                        MAX_CREDENTIALS_MESSAGE)
                        + ". Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, choose a profile (?profile=NAME or "
                        + "AWS_PROFILE), or run where an IAM role is available", null);
            }
        }
        String classes = classNames(chain);
        if (has(chain, BoundedResponse.TooLarge.class)) {
            // retrying would read another oversized answer: no Secrets Manager answer is this large
            return new SourceMisconfiguredException(reference, "the answer for the " + target()
                    + " is larger than " + (BoundedResponse.MAX_BYTES >> 20) + " MiB, more than any Secrets Manager"
                    + " answer (a secret is at most 64 KiB); keysource stopped reading it (not retried). Check that the"
                    + " endpoint is Secrets Manager, not a proxy or another service", null);
        }
        for (Throwable t : chain) {
            if (t instanceof ResponseMarker.UnreadableResponse unreadableResponse) {
                // a parser's message may quote the body, which may hold the secret: give class names only
                return new SourceUnavailableException(
                        reference,
                        "the answer of AWS Secrets Manager (HTTP "
                                + unreadableResponse.status + ") for the " + target() + " could not be read ("
                                + classes + "); if this persists, check that the endpoint is Secrets Manager",
                        null);
            }
        }
        if (has(chain, java.security.cert.CertificateException.class)
                || has(chain, java.security.cert.CertPathBuilderException.class)
                || has(chain, javax.net.ssl.SSLPeerUnverifiedException.class)) {
            // retrying cannot help: the endpoint's certificate is not trusted by this JVM
            return new SourceMisconfiguredException(reference, "the TLS certificate of the Secrets "
                    + "Manager endpoint " + where.describe() + " is not trusted (" + classes + "); if it is signed by a "
                    + "private CA, add that CA to a trust store and run with -Djavax.net.ssl.trustStore=PATH "
                    + "(and -Djavax.net.ssl.trustStorePassword), or fix the endpoint setting", null);
        }
        Throwable root = chain.get(chain.size() - 1);
        if (has(chain, UnknownHostException.class) && where.endpoint() == null && where.region() != null
                && !Region.regions().contains(Region.of(where.region()))) {
            // the endpoint is derived from the region: a region AWS does not have gives a host that does not exist
            return new SourceMisconfiguredException(reference, regionIsTheProblem() + ": it is not an AWS region"
                    + " (the SDK does not know it, and the Secrets Manager host name made from it does not resolve),"
                    + " so the " + target.describe() + " cannot be read. " + SET_REGION, null);
        }
        if (has(chain, IOException.class) || has(chain, UncheckedIOException.class)) {
            if (isNetwork(root)) {
                // java.net messages ("Connection refused", "Connection reset") hold no secret
                return new SourceUnavailableException(reference, "cannot reach AWS Secrets Manager to read "
                        + "the " + target() + ": " + root.getClass().getSimpleName() + ": " + clip(root.getMessage(), 200)
                        + "; check the endpoint, network and proxy", e);
            }
            return new SourceUnavailableException(reference, "reading the " + target() + " from AWS "
                    + "Secrets Manager failed with an I/O error (" + classes + "); if this persists, check the endpoint, "
                    + "network and proxy", null);
        }
        if (!(e instanceof SdkException)) {
            // not an SDK failure: a bug (keysource's or the SDK's), named by class only
            return new InternalKeySourceException(reference, "internal error: reading the " + target() + " failed "
                    + "with an unexpected " + classes + " from the AWS SDK; please report it at "
                    + InternalKeySourceException.REPORT_URL, null);
        }
        return new SourceMisconfiguredException(reference, "the AWS SDK failed before calling Secrets "
                + "Manager for the " + target() + " (" + classes + "); check the region, endpoint and credentials "
                + "settings", null);
    }

    private static final String SET_REGION = "Set the secret's region with ?region=REGION in the reference or"
            + " the environment variable AWS_REGION";

    /** "the region us-nowhere-1 (from environment variable AWS_REGION) is the problem" (the exception adds the reference). */
    private String regionIsTheProblem() {
        return "the region " + where.region() + (where.regionOrigin() != null ? " (from "
                + where.regionOrigin() + ")" : "") + " is the problem";
    }

    /** The SDK's chain message lists the providers, then each one's problem: keep the problems. */
    private static String credentialsProblem(String message) {
        if (message == null) {
            return "no credentials";
        }
        int list = message.indexOf("]) : [");
        return list >= 0 ? message.substring(list + 5) : message;
    }

    private static boolean known(String code) {
        return TRANSIENT.contains(code) || REJECTED.contains(code) || NOT_FOUND.contains(code) || ADVICE.containsKey(code);
    }

    private static boolean isNetwork(Throwable t) {
        String p = t.getClass().getPackageName();
        return p.equals("java.net") || p.equals("javax.net.ssl");
    }

    private static List<Throwable> chain(Throwable e) {
        List<Throwable> l = new ArrayList<>();
        for (Throwable t = e; t != null && l.size() < 20 && !l.contains(t); t = t.getCause()) {
            l.add(t);
        }
        return l;
    }

    private static <T extends Throwable> T find(List<Throwable> chain, Class<T> type) {
        for (Throwable t : chain) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static boolean has(List<Throwable> chain, Class<?> type) {
        for (Throwable t : chain) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String classNames(List<Throwable> chain) {
        StringBuilder b = new StringBuilder();
        for (Throwable t : chain) {
            if (b.length() > 0) {
                b.append(" caused by ");
            }
            b.append(t.getClass().getSimpleName());
        }
        return b.toString();
    }

    /** On one line, at most {@code max} characters, control and separator characters escaped (server text). */
    static String clip(String s, int max) {
        if (s == null) {
            return null;
        }
        String oneLine = Printable.escape(s.replaceAll("\\s+", " ").trim());
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "…";
    }
}
