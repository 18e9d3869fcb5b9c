package dev.keysource.aws.internal;

import dev.keysource.spi.Json;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.profiles.Profile;

/**
 * A profile's {@code credential_process}, run by keysource rather than the SDK, because the SDK's
 * {@code ProcessCredentialsProvider} (2.57) has no time limit: it reads the command's stdout to its end,
 * so a command that hangs (waiting for a browser, a prompt, a network) blocks the fetch's thread forever
 * and stays running after keysource gave up, and its failure message is cut off before the command's
 * own error.
 *
 * <p>Here the command runs as the SDK runs it ({@code sh -c COMMAND}, with the injected environment and no
 * stdin) for at most {@code timeout}; past that, or when the calling thread is interrupted, it is killed
 * with every process it started. Once it has exited, what it wrote is taken from its pipes without waiting
 * for their end (which a background child could hold open); more than {@link #MAX_OUTPUT} bytes, which
 * would not fit a pipe, end in the time limit. The output is
 * the documented {@code credential_process} JSON ({@code Version} 1, {@code AccessKeyId},
 * {@code SecretAccessKey}, optional {@code SessionToken} and {@code Expiration}); credentials are reused
 * until {@link #REFRESH_BEFORE} ahead of their expiration. Failures name the profile, the exit code and up
 * to {@link #STDERR_QUOTE} characters of stderr (control characters escaped, anything the command printed
 * on stdout masked); never the command line (it may carry a secret) nor stdout.
 */
final class CredentialProcess implements AwsCredentialsProvider {

    /** The most stdout that is read, as the SDK's default {@code processOutputLimit}. */
    static final long MAX_OUTPUT = 64_000;
    /** The most of stderr quoted in a message. */
    static final int STDERR_QUOTE = 300;
    /** Credentials are fetched anew this long before their {@code Expiration}. */
    static final Duration REFRESH_BEFORE = Duration.ofMinutes(1);

    private final String profile;
    private final String command;
    private final String where;
    private final Map<String, String> environment;
    private final Duration timeout;
    private final Clock clock;
    private AwsCredentials cached; // guarded by this
    private Instant expiration;    // guarded by this; null: never expires

    CredentialProcess(String profile, String command, String where, Map<String, String> environment,
                      Duration timeout, Clock clock) {
        this.profile = profile;
        this.command = command;
        this.where = where;
        this.environment = environment;
        this.timeout = timeout;
        this.clock = clock;
    }

    /**
     * The {@code credential_process} of {@code p}, if the SDK would use it for this profile: it is set and
     * no source the SDK prefers within a profile (static keys, a role, SSO, web identity) is.
     */
    static Optional<String> of(Profile p) {
        Optional<String> command = p.property("credential_process").filter(s -> !s.isBlank());
        for (String preferred : List.of("aws_access_key_id", "role_arn", "sso_session", "sso_start_url",
                "web_identity_token_file")) {
            if (p.property(preferred).isPresent()) {
                return Optional.empty();
            }
        }
        return command;
    }

    @Override
    public synchronized AwsCredentials resolveCredentials() {
        if (cached != null && (expiration == null || clock.instant().isBefore(expiration.minus(REFRESH_BEFORE)))) {
            return cached;
        }
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(environment);
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new Failed("the credential_process of AWS profile '" + profile + "' (" + where + ") could not be"
                    + " started (" + e.getClass().getSimpleName() + ")", false, false);
        }
        try (InputStream out = process.getInputStream(); InputStream err = process.getErrorStream()) {
            boolean finished;
            try {
                finished = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                // the SDK's call time limit (or the attempt's) interrupts this thread; AwsErrors tells a real
                // interrupt (the flag still set, no SDK time-out) from a time limit
                killTree(process);
                Thread.currentThread().interrupt();
                throw new Failed("the credential_process of AWS profile '" + profile + "' (" + where + ") did not"
                        + " finish within the time limit of the call and was stopped with the processes it started;"
                        + " run it by hand to see what it waits for (a browser, a prompt, the network)", true, true);
            }
            if (!finished) {
                killTree(process);
                throw new Failed("the credential_process of AWS profile '" + profile + "' (" + where + ") did not"
                        + " finish within " + timeout.toMillis() + " ms and was stopped with the processes it started;"
                        + " run it by hand to see what it waits for (a browser, a prompt, the network)", true, false);
            }
            // what it wrote is in the pipes; never wait for their end, which a background child may hold open
            String stdout = available(out, MAX_OUTPUT);
            int exit = process.exitValue();
            if (exit != 0) {
                String stderr = quote(new String(err.readNBytes(Math.min(err.available(), 16_384)),
                        StandardCharsets.UTF_8), stdout == null ? "" : stdout);
                throw new Failed("the credential_process of AWS profile '" + profile + "' (" + where + ") exited with"
                        + " code " + exit + (stderr.isEmpty() ? " and printed nothing on stderr" : ": " + stderr)
                        + "; run it by hand", false, false);
            }
            if (stdout == null) {
                throw invalid("is larger than " + MAX_OUTPUT + " bytes");
            }
            return parse(stdout);
        } catch (IOException e) {
            throw new Failed("the output of the credential_process of AWS profile '" + profile + "' (" + where
                    + ") could not be read (" + e.getClass().getSimpleName() + ")", false, false);
        }
    }

    private AwsCredentials parse(String stdout) {
        Object parsed;
        try {
            parsed = Json.parse(stdout.trim());
        } catch (Json.Malformed e) {
            throw invalid("is not JSON (" + e.getMessage() + ")");
        }
        if (!(parsed instanceof Map)) {
            throw invalid("is not a JSON object");
        }
        Map<?, ?> m = (Map<?, ?>) parsed;
        Object version = m.get("Version");
        if (!(version instanceof Json.Num num) || !num.text().equals("1")) {
            throw invalid("has no \"Version\": 1");
        }
        String keyId = string(m, "AccessKeyId", true);
        String secret = string(m, "SecretAccessKey", true);
        String token = string(m, "SessionToken", false);
        String exp = string(m, "Expiration", false);
        Instant expires = null;
        if (exp != null) {
            try {
                expires = Instant.parse(exp);
            } catch (DateTimeParseException e) {
                throw invalid("has an \"Expiration\" that is not an ISO-8601 instant such as 2030-01-01T00:00:00Z");
            }
        }
        AwsCredentials c = token != null ? AwsSessionCredentials.create(keyId, secret, token)
                : AwsBasicCredentials.create(keyId, secret);
        cached = c;
        expiration = expires;
        return c;
    }

    private String string(Map<?, ?> m, String name, boolean required) {
        Object v = m.get(name);
        if (v == null && !required) {
            return null;
        }
        if (!(v instanceof String string) || string.isEmpty()) {
            throw invalid("has no string \"" + name + "\"");
        }
        return string;
    }

    private Failed invalid(String what) {
        return new Failed("the output of the credential_process of AWS profile '" + profile + "' (" + where + ") "
                + what + "; it must print {\"Version\": 1, \"AccessKeyId\": ..., \"SecretAccessKey\": ...}", false,
                false);
    }

    /** Stderr on one line, bounded, escaped, with any word the command printed on stdout masked. */
    static String quote(String stderr, String stdout) {
        String s = stderr.strip();
        for (String word : stdout.split("[\\s\"{}:,\\[\\]]+", -1)) {
            if (word.length() >= 8) {
                s = s.replace(word, "****");
            }
        }
        return AwsErrors.clip(s, STDERR_QUOTE);
    }

    /** The bytes buffered in a finished process's pipe, or null for more than {@code max}. */
    private static String available(InputStream in, long max) throws IOException {
        int n = in.available();
        if (n > max) {
            return null;
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    /** Kills the process and every process it started (children first), and waits for it. */
    private static void killTree(Process process) {
        List<ProcessHandle> tree = new ArrayList<>();
        process.descendants().forEach(tree::add);
        tree.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "CredentialProcess[profile " + profile + "]";
    }

    /** The command failed, timed out or printed something unusable; the message is safe to show. */
    static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final boolean timedOut;
        /** Whether it was stopped because the thread was interrupted (a time limit, or a real interrupt). */
        final boolean interrupted;

        Failed(String message, boolean timedOut, boolean interrupted) {
            super(message, null, false, false);
            this.timedOut = timedOut;
            this.interrupted = interrupted;
        }
    }
}
