package dev.keysource.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.KeyRef;
import dev.keysource.Secret;
import dev.keysource.SourceUnavailableException;
import dev.keysource.spi.Json;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.KeySourceProvider;
import dev.keysource.spi.ProviderContext;
import dev.keysource.testkit.Canary;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The credential-helper protocols in process, each answer parsed the way its tool parses it: the AWS SDK's
 * credential_process JSON, client-go's ExecCredential, git's key=value lines, Docker's JSON. The secrets
 * come from a fixed backend; the packaged jar with real backends and real git is in CliHelpersIT.
 */
class HelperProtocolsTest {

    private static final Instant EXPIRY = Instant.parse("2031-05-06T07:08:09Z");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Map<String, String> env = new HashMap<>();
    private final Map<String, Secret> secrets = new HashMap<>();

    @TempDir
    Path dir;

    {
        env.put("KEYSOURCE_ATTEMPTS", "1"); // a failure is reported at once, not retried
    }

    /** {@code fixed:NAME}: the secret stored under NAME, with its expiry. */
    final class FixedProvider implements KeySourceProvider {
        @Override
        public String scheme() {
            return "fixed";
        }

        @Override
        public Set<String> options() {
            return Set.of();
        }

        @Override
        public KeySource create(KeyRef ref, ProviderContext context) {
            return new KeySource() {
                @Override
                public KeyRef ref() {
                    return ref;
                }

                @Override
                public Secret fetch() {
                    Secret s = secrets.get(ref.location());
                    if (s == null) {
                        throw new SourceUnavailableException(ref.toString(), "Vault said \u001b[31mred"
                                + "\u0007 and\u2028more\nlines\u009b2J");
                    }
                    return s;
                }
            };
        }
    }

    private int run(InputStream stdin, String... args) {
        return new Cli(env, stdin, out, err, List.of(new FixedProvider())).run(args);
    }

    /** A stdin that fails the test if anything reads it: only the helper commands may. */
    private static InputStream unreadable() {
        return new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("stdin was read");
            }
        };
    }

    private static InputStream stdin(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> json() {
        return (Map<String, Object>) Json.parse(out());
    }

    private static Secret json(String json, Instant expiry) {
        return Secret.builder(json).expiry(expiry).build();
    }

    // AWS credential_process

    @Test
    void credentialProcess_vaultAwsEngineFields_answersVersion1WithTheLeaseAsExpiration() {
        secrets.put("aws/creds/ci", json("{\"access_key\":\"AKIAEXAMPLE\",\"secret_key\":\"" + Canary.SECRET
                + "\",\"security_token\":\"tok\"}", EXPIRY));
        assertThat(run(unreadable(), "get", "--format", "credential-process", "fixed:aws/creds/ci")).isZero();
        Map<String, Object> o = json();
        assertThat(o.keySet()).containsExactly("Version", "AccessKeyId", "SecretAccessKey", "SessionToken",
                "Expiration");
        assertThat(o.get("Version").toString()).isEqualTo("1");
        assertThat(o.get("AccessKeyId")).isEqualTo("AKIAEXAMPLE");
        assertThat(o.get("SecretAccessKey")).isEqualTo(Canary.SECRET);
        assertThat(o.get("SessionToken")).isEqualTo("tok");
        assertThat(Instant.parse((String) o.get("Expiration"))).isEqualTo(EXPIRY);
        assertThat(err()).isEmpty();
    }

    @Test
    void credentialProcess_secretsManagerJson_withoutBackendExpiry_usesItsOwnExpirationAndOmitsNoToken() {
        secrets.put("prod/aws", json("{\"AccessKeyId\":\"AKIA2\",\"SecretAccessKey\":\"s2\","
                + "\"Expiration\":\"2030-01-01T00:00:00Z\"}", null));
        assertThat(run(unreadable(), "get", "--format=credential-process", "fixed:prod/aws")).isZero();
        assertThat(out()).isEqualTo("{\"Version\":1,\"AccessKeyId\":\"AKIA2\",\"SecretAccessKey\":\"s2\","
                + "\"Expiration\":\"2030-01-01T00:00:00Z\"}\n");
    }

    @Test
    void credentialProcess_configuredFieldNames() {
        secrets.put("x", json("{\"id\":\"AKIA3\",\"key\":\"s3\",\"sess\":\"t3\"}", null));
        assertThat(run(unreadable(), "get", "--format", "credential-process", "--aws-fields", "id,key,sess",
                "fixed:x")).isZero();
        assertThat(out()).isEqualTo("{\"Version\":1,\"AccessKeyId\":\"AKIA3\",\"SecretAccessKey\":\"s3\","
                + "\"SessionToken\":\"t3\"}\n");
    }

    @Test
    void credentialProcess_fieldNameWithTerminalControls_isEscapedInTheMessage() {
        secrets.put("x", json("{\"us\\u001b[2Jer\":\"" + Canary.SECRET + "\"}", null));
        assertThat(run(unreadable(), "get", "--format", "credential-process", "fixed:x")).isEqualTo(6);
        assertThat(err()).contains("its fields are: 'usU+001B[2Jer';").doesNotContain("\u001b");
        Canary.assertAbsent("stderr", err());
    }

    @Test
    void credentialProcess_noKnownFields_namesTheFieldsNeverTheValues() {
        secrets.put("x", json("{\"user\":\"" + Canary.SECRET + "\"}", null));
        assertThat(run(unreadable(), "get", "--format", "credential-process", "fixed:x")).isEqualTo(6);
        assertThat(out()).isEmpty();
        assertThat(err()).isEqualTo("keysource: fixed:x: the secret has none of the access key fields AccessKeyId, "
                + "access_key (Vault's AWS engine) or aws_access_key_id; its fields are: 'user'; name them with "
                + "--aws-fields ACCESS_KEY_FIELD,SECRET_KEY_FIELD[,SESSION_TOKEN_FIELD]\n");
        Canary.assertAbsent("stderr", err());
    }

    @Test
    void credentialProcess_notJson_isMisconfiguredWithoutQuotingIt() {
        secrets.put("x", Secret.of(Canary.SECRET));
        assertThat(run(unreadable(), "get", "--format", "credential-process", "fixed:x")).isEqualTo(6);
        assertThat(err()).startsWith("keysource: fixed:x: the secret is not a JSON object");
        Canary.assertAbsent("stderr", err());
    }

    // Kubernetes ExecCredential

    @Test
    void execCredential_answersInTheApiVersionKubernetesAsksFor() {
        secrets.put("k8s", json(Canary.SECRET, EXPIRY));
        env.put("KUBERNETES_EXEC_INFO", "{\"kind\":\"ExecCredential\",\"apiVersion\":"
                + "\"client.authentication.k8s.io/v1beta1\",\"spec\":{\"interactive\":false}}");
        assertThat(run(unreadable(), "get", "--format", "exec-credential", "fixed:k8s")).isZero();
        Map<String, Object> o = json();
        assertThat(o.get("apiVersion")).isEqualTo("client.authentication.k8s.io/v1beta1");
        assertThat(o.get("kind")).isEqualTo("ExecCredential");
        @SuppressWarnings("unchecked")
        Map<String, Object> status = (Map<String, Object>) o.get("status");
        assertThat(status.get("token")).isEqualTo(Canary.SECRET);
        assertThat(Instant.parse((String) status.get("expirationTimestamp"))).isEqualTo(EXPIRY);
    }

    @Test
    void execCredential_v1_andWithoutExecInfo_v1WithoutExpiry() {
        secrets.put("k8s", Secret.of("tok-1"));
        env.put("KUBERNETES_EXEC_INFO", "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
                + "\"ExecCredential\",\"spec\":{\"interactive\":true}}");
        assertThat(run(unreadable(), "get", "--format", "exec-credential", "fixed:k8s")).isZero();
        assertThat(out()).isEqualTo("{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
                + "\"status\":{\"token\":\"tok-1\"}}\n");
        out.reset();
        env.remove("KUBERNETES_EXEC_INFO");
        assertThat(run(unreadable(), "get", "--format", "exec-credential", "fixed:k8s")).isZero();
        assertThat(out()).startsWith("{\"apiVersion\":\"client.authentication.k8s.io/v1\",");
    }

    @Test
    void execCredential_unsupportedApiVersion_saysWhichItAnswers() {
        secrets.put("k8s", Secret.of("tok-1"));
        env.put("KUBERNETES_EXEC_INFO", "{\"apiVersion\":\"client.authentication.k8s.io/v1alpha1\"}");
        assertThat(run(unreadable(), "get", "--format", "exec-credential", "fixed:k8s")).isEqualTo(6);
        assertThat(err()).isEqualTo("keysource: fixed:k8s: KUBERNETES_EXEC_INFO asks for apiVersion "
                + "'client.authentication.k8s.io/v1alpha1'; keysource answers client.authentication.k8s.io/v1 and "
                + "client.authentication.k8s.io/v1beta1: set one of them as the exec apiVersion in the kubeconfig\n");
        assertThat(out()).isEmpty();
    }

    // git

    /** git's own reading of a helper's answer: key=value lines, the first '=' splits. */
    private Map<String, String> gitParse() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : out().split("\n")) {
            int eq = line.indexOf('=');
            assertThat(eq).as("a key=value line: %s", line).isPositive();
            m.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return m;
    }

    @Test
    void gitCredential_get_answersUsernamePasswordAndExpiry() {
        secrets.put("git", json(Canary.SECRET, EXPIRY));
        assertThat(run(stdin("protocol=https\nhost=git.example.com\nusername=alice\n\n"),
                "git-credential", "fixed:git", "get")).isZero();
        assertThat(gitParse()).containsExactly(Map.entry("username", "alice"), Map.entry("password", Canary.SECRET),
                Map.entry("password_expiry_utc", Long.toString(EXPIRY.getEpochSecond())));
        assertThat(err()).isEmpty();
    }

    @Test
    void gitCredential_jsonLogin_andUsernameOption() {
        secrets.put("git", Secret.of("{\"username\":\"bot\",\"password\":\"pw-1\"}"));
        assertThat(run(stdin("protocol=https\nhost=h\n\n"), "git-credential", "fixed:git", "get")).isZero();
        assertThat(out()).isEqualTo("username=bot\npassword=pw-1\n");
        out.reset();
        assertThat(run(stdin("protocol=https\nhost=h\n\n"), "git-credential", "--username", "ci", "fixed:git",
                "get")).isZero();
        assertThat(out()).isEqualTo("username=ci\npassword=pw-1\n");
    }

    @Test
    void gitCredential_storeAndErase_areAcceptedAndIgnored() {
        for (String action : List.of("store", "erase", "some-future-action")) {
            assertThat(run(stdin("protocol=https\nhost=h\nusername=u\npassword=p\n\n"), "git-credential",
                    "fixed:nothing-stored", action)).isZero();
        }
        assertThat(out()).isEmpty();
        assertThat(err()).isEmpty();
    }

    @Test
    void gitCredential_passwordWithALineBreak_isRefusedNotSplitIntoTwoKeys() {
        secrets.put("git", Secret.of(Canary.SECRET + "\nusername=mallory"));
        assertThat(run(stdin("protocol=https\nhost=h\n\n"), "git-credential", "fixed:git", "get")).isEqualTo(6);
        assertThat(out()).isEmpty();
        assertThat(err()).isEqualTo("keysource: fixed:git: the password holds a control character (U+000A at "
                + "character 27 of 43), which the tool's protocol cannot carry; store it without line breaks or "
                + "control characters\n");
    }

    // Docker

    private void servers(String text) throws IOException {
        Path f = dir.resolve("docker-servers");
        Files.writeString(f, text);
        env.put("KEYSOURCE_DOCKER_SERVERS", f.toString());
    }

    @Test
    void dockerCredential_get_readsTheServerOnStdin_answersServerUrlUsernameSecret() throws IOException {
        servers("# registries\nregistry.example.com ci fixed:registry\nhttps://index.docker.io/v1/ - fixed:hub\n");
        secrets.put("registry", Secret.of(Canary.SECRET));
        secrets.put("hub", Secret.of("{\"username\":\"hubuser\",\"password\":\"hubpw\"}"));
        assertThat(run(stdin("registry.example.com\n"), "docker-credential", "get")).isZero();
        assertThat(json()).containsExactly(Map.entry("ServerURL", "registry.example.com"), Map.entry("Username", "ci"),
                Map.entry("Secret", Canary.SECRET));
        out.reset();
        assertThat(run(stdin("https://index.docker.io/v1/"), "docker-credential", "get")).isZero();
        assertThat(out()).isEqualTo("{\"ServerURL\":\"https://index.docker.io/v1/\",\"Username\":\"hubuser\","
                + "\"Secret\":\"hubpw\"}\n");
    }

    @Test
    void dockerCredential_unknownServer_isTheProtocolsNotFoundOnStdoutAndExit1() throws IOException {
        servers("registry.example.com ci fixed:registry\n");
        assertThat(run(stdin("other.example.com\n"), "docker-credential", "get")).isEqualTo(1);
        assertThat(out()).isEqualTo("credentials not found in native keychain\n");
    }

    @Test
    void dockerCredential_listStoreErase() throws IOException {
        servers("registry.example.com ci fixed:registry\nghcr.io - fixed:gh\n");
        assertThat(run(stdin(""), "docker-credential", "list")).isZero();
        assertThat(out()).isEqualTo("{\"registry.example.com\":\"ci\",\"ghcr.io\":\"\"}\n");
        out.reset();
        assertThat(run(stdin("{\"ServerURL\":\"x\",\"Username\":\"u\",\"Secret\":\"s\"}"), "docker-credential",
                "store")).isZero();
        assertThat(run(stdin("x\n"), "docker-credential", "erase")).isZero();
        assertThat(out()).isEmpty();
    }

    @Test
    void dockerCredential_backendFailure_isOneEscapedLineOnStdoutForDockerAndOnStderr() throws IOException {
        servers("registry.example.com ci fixed:missing\n");
        assertThat(run(stdin("registry.example.com"), "docker-credential", "get")).isEqualTo(5);
        String line = "keysource: fixed:missing: Vault said U+001B[31mredU+0007 andU+2028more\\nlinesU+009B2J\n";
        assertThat(out()).isEqualTo(line);
        assertThat(err()).isEqualTo(line);
    }

    // get and check never read stdin; what reaches stderr is one safe line

    @Test
    void get_neverReadsStdin_andEscapesControlCharactersOfBackendMessages() {
        assertThat(run(unreadable(), "get", "fixed:missing")).isEqualTo(5);
        assertThat(err()).isEqualTo("keysource: fixed:missing: Vault said U+001B[31mredU+0007 andU+2028more\\nlines"
                + "U+009B2J\n");
        assertThat(err().chars().filter(c -> c < 0x20 && c != '\n' || c == 0x2028 || c == 0x9b)).isEmpty();
    }

    @Test
    void get_rawValueWithALineBreakOrNul_isRefused_jsonCarriesIt() {
        secrets.put("nl", Secret.of(Canary.SECRET + "\n"));
        secrets.put("nul", Secret.of("ab\u0000cd"));
        assertThat(run(unreadable(), "get", "fixed:nl")).isEqualTo(6);
        assertThat(err()).isEqualTo("keysource: fixed:nl: the value holds a line break (at character 27 of 27), which"
                + " 'get' does not print: a tool reading the key's line would get only part of it. Store it without,"
                + " or read it with --format json (the value JSON-escaped)\n");
        assertThat(run(unreadable(), "get", "fixed:nul")).isEqualTo(6);
        assertThat(out()).isEmpty();
        assertThat(run(unreadable(), "get", "--format", "json", "fixed:nl")).isZero();
        assertThat(out()).contains("\"value\":\"" + Canary.SECRET + "\\n\"");
    }

    @Test
    void get_stdoutRefusesTheKey_saysSoOnStderr_exit7() {
        secrets.put("k", Secret.of(Canary.SECRET));
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        int code = new Cli(env, unreadable(), full, err, List.of(new FixedProvider())).run(new String[] {"get",
                "fixed:k"});
        assertThat(code).isEqualTo(7);
        assertThat(err()).isEqualTo("keysource: could not write the key to stdout (No space left on device): stdout is"
                + " closed, full or gone; nothing usable was printed\n");
    }
}
