package dev.keysource.awsagent.internal;

import dev.keysource.KeySourceException;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.SourceTimeoutException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.spi.Json;
import dev.keysource.spi.Printable;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Classifies the agent's error answers, once. The agent answers its own refusals in plain text
 * ({@code 403 Bad Token}, {@code 400 Forwarded}, {@code 404 Not found}, {@code 405 Not allowed},
 * {@code 429 Connection limit exceeded}) and passes Secrets Manager's errors through as JSON with
 * {@code __type} and the AWS status; a connection or timeout failure between the agent and AWS comes back
 * as {@code 502 ConnectionError} or {@code 504 TimeoutError}.
 * <ul>
 *   <li>transient: 429, 500, 502, 503, 504 and other 5xx, throttling and internal AWS errors;</li>
 *   <li>rejected: 403 without {@code __type} (the SSRF token), and the AWS authorization errors
 *       ({@code AccessDeniedException}, {@code UnrecognizedClientException}, expired tokens...): these are
 *       about the agent's IAM identity, not this process;</li>
 *   <li>not found: {@code ResourceNotFoundException};</li>
 *   <li>misconfigured: {@code DecryptionFailure}, {@code InvalidRequestException},
 *       {@code InvalidParameterException}, the agent's 400/404/405 and other 4xx.</li>
 * </ul>
 */
final class AgentErrors {

    static final Set<String> TRANSIENT = Set.of("ThrottlingException", "Throttling", "TooManyRequestsException",
            "RequestLimitExceeded", "InternalServiceError", "InternalServiceErrorException", "InternalFailure",
            "InternalError", "ServiceUnavailable", "ServiceUnavailableException", "RequestTimeout",
            "RequestTimeoutException", "TimeoutError", "ConnectionError");
    static final Set<String> REJECTED = Set.of("AccessDeniedException", "AccessDenied", "UnrecognizedClientException",
            "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature",
            "MissingAuthenticationToken", "ExpiredTokenException", "ExpiredToken", "InvalidToken", "AuthFailure");
    static final Set<String> NOT_FOUND = Set.of("ResourceNotFoundException");

    private static final int MAX_QUOTED = 120;

    private AgentErrors() {
    }

    static KeySourceException classify(String reference, AgentTarget target, AgentToken token, int status, byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).trim();
        String type = null;
        String message = null;
        try {
            Object parsed = Json.parse(text);
            if (parsed instanceof Map) {
                Map<?, ?> m = (Map<?, ?>) parsed;
                type = m.get("__type") instanceof String ? (String) m.get("__type") : null;
                Object msg = m.containsKey("message") ? m.get("message") : m.get("Message");
                message = msg instanceof String string ? string : null;
            }
        } catch (Json.Malformed e) {
            type = null;
        }
        String at = target.where() + " answered " + status;
        if (type != null) {
            if (type.contains("#")) { // "com.amazonaws...#ResourceNotFoundException" in some AWS error shapes
                type = type.substring(type.lastIndexOf('#') + 1);
            }
            String aws = at + " " + type + (message == null ? "" : " (" + quote(message) + ")");
            if (NOT_FOUND.contains(type)) {
                return new SecretNotFoundException(reference, aws + ": Secrets Manager has no secret '" + target.secretId
                        + "'" + stageOrVersion(target) + "; check the name or ARN and the region the agent uses");
            }
            if (REJECTED.contains(type)) {
                return new SourceAccessDeniedException(reference, aws + ": Secrets Manager refused the agent's AWS "
                        + "identity (the agent, not this process, holds the credentials); its IAM role needs "
                        + "secretsmanager:GetSecretValue on this secret (and kms:Decrypt on its key)");
            }
            if (TRANSIENT.contains(type) || status >= 500 || status == 429) {
                return new SourceUnavailableException(reference, aws + "; retried");
            }
            return new SourceMisconfiguredException(reference, aws + ": the request cannot succeed as it is; check "
                    + "the secret id, 'stage' and 'version'" + (type.equals("DecryptionFailure")
                    ? ", and that the agent's identity may use the secret's KMS key" : ""));
        }
        String said = text.isEmpty() ? "" : " '" + quote(text) + "'";
        switch (status) {
            case 403 -> {
                return new SourceAccessDeniedException(
                        reference,
                        at + said + ": the agent refused the SSRF token sent "
                                + "in X-Aws-Parameters-Secrets-Token (from " + token.origin()
                                + "); it must be the token the "
                                + "agent was started with: set AWS_TOKEN to it or to file://<the agent's token file>");
            }
            case 429 -> {
                return new SourceUnavailableException(
                        reference, at + said + ": the agent is at its connection limit (max_conn); retried");
            }
            case 504 -> {
                return new SourceTimeoutException(
                        reference, at + said + ": the agent timed out reaching Secrets Manager; retried");
            }
            case 400 -> {
                return new SourceMisconfiguredException(
                        reference,
                        at + said + ": the agent refused the request; a proxy "
                                + "adding X-Forwarded-For is refused, and an unknown query parameter (refreshNow on an old "
                                + "agent or the Lambda extension) too");
            }
            case 404, 405 -> {
                return new SourceMisconfiguredException(
                        reference,
                        at + said + ": no Secrets Manager Agent endpoint "
                                + "/secretsmanager/get there; is something else listening on port " + target.port
                                + "?");
            }
            default -> {
                if (status >= 500) {
                    return new SourceUnavailableException(reference, at + said + "; retried");
                }
                return new SourceMisconfiguredException(reference, at + said + ": unexpected answer from the agent; "
                        + "check that port " + target.port + " is the Secrets Manager Agent's");
            }
        }
    }

    private static String stageOrVersion(AgentTarget t) {
        return t.version != null ? " with version id '" + t.version + "'" : t.stage != null
                ? " with staging label '" + t.stage + "'" : "";
    }

    /**
     * Up to 120 characters of the agent's own text (never a secret: errors carry none), escaped as every
     * backend's text is ({@link Printable#escape}: controls, separators and format characters as {@code U+XXXX}).
     */
    private static String quote(String s) {
        boolean cut = s.length() > MAX_QUOTED;
        String escaped = Printable.escape(cut ? s.substring(0, MAX_QUOTED) : s);
        return cut ? escaped + "..." : escaped;
    }
}
