package dev.keysource.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.testkit.Canary;
import dev.keysource.testkit.ErrorContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import dev.keysource.KeyRef;
import dev.keysource.Secret;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.KeySourceProvider;
import dev.keysource.spi.ProviderContext;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands in process (the packaged jar is exercised by CliIT). */
class CliTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("KEYSOURCE_"));
        return new Cli(env, out, err).run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void get_json_printsValueAndMetadataAsOneObject() {
        int code = run("get", "--format", "json",
                "script:echo '{\"key\":\"sk-j\\\"x\",\"expires_at\":\"2031-01-01T00:00:00Z\"}'");
        assertThat(err()).isEmpty();
        assertThat(code).isZero();
        assertThat(out()).isEqualTo("{\"reference\":\"script:echo '{\\\"key\\\":\\\"sk-j\\\\\\\"x\\\",\\\"expires_at\\\":"
                + "\\\"2031-01-01T00:00:00Z\\\"}'\",\"scheme\":\"script\",\"value\":\"sk-j\\\"x\",\"encoding\":\"text\","
                + "\"expiry\":\"2031-01-01T00:00:00Z\"}\n");
    }

    @TempDir
    Path dir;

    private Path helper(String body) throws IOException {
        Path p = dir.resolve("helper.sh");
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    @Test
    void check_failure_printsWhatItResolvedAndOneErrorLine() throws IOException {
        Path h = helper("echo " + Canary.SECRET + "\necho 'token revoked' >&2\nexit 77");
        int code = run("check", "script:" + h);
        assertThat(code).isEqualTo(4);
        assertThat(out()).contains("scheme     script\n").contains("location   " + h + "\n")
                .contains("result     failed: rejected (authentication or permission) (exit 4)\n");
        assertThat(err()).isEqualTo("keysource: script:" + h + ": the helper exited with code 77 (permission denied) "
                + "(it printed something on stdout, which is ignored after a failure and not shown); stderr: "
                + "\"token revoked\"; check the credentials the helper uses\n");
        Canary.assertAbsent("stdout", out());
        Canary.assertAbsent("stderr", err());
    }

    @Test
    void check_json_masksTheValue() throws IOException {
        Path h = helper("echo " + Canary.SECRET);
        int code = run("check", "--format", "json", "script:" + h);
        assertThat(code).isZero();
        assertThat(out()).startsWith("{\"reference\":\"script:" + h + "\"").contains("\"value\":\"sk-…(26 chars)…6a\"")
                .contains("\"result\":\"ok\",\"exit\":0}");
        Canary.assertAbsent("check output", out());
    }

    /** A backend returning fixed bytes, to see how binary secrets print. */
    static final class BytesProvider implements KeySourceProvider {
        @Override
        public String scheme() {
            return "bytes";
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
                    return Secret.builderOfBytes(new byte[] {0, 1, (byte) 0xfe, (byte) 0xff}).version("v7").build();
                }
            };
        }
    }

    /** A backend that breaks its contract: its fetch throws an unclassified exception, or create returns null. */
    static final class BrokenProvider implements KeySourceProvider {
        @Override
        public String scheme() {
            return "broken";
        }

        @Override
        public Set<String> options() {
            return Set.of();
        }

        @Override
        public KeySource create(KeyRef ref, ProviderContext context) {
            if (ref.location().equals("null-source")) {
                return null;
            }
            if (ref.location().equals("throws")) {
                throw new IllegalStateException("credential " + Canary.SECRET);
            }
            return new KeySource() {
                @Override
                public KeyRef ref() {
                    return ref;
                }

                @Override
                public Secret fetch() {
                    throw new IllegalStateException("token " + Canary.SECRET + " was refused");
                }
            };
        }
    }

    @Test
    void get_backendThrowsUnclassified_exit1InternalErrorWithoutItsMessage() {
        int code = new Cli(Map.of(), out, err, List.of(new BrokenProvider())).run(new String[] {"get", "broken:key"});
        assertThat(code).isEqualTo(1);
        assertThat(err()).isEqualTo("keysource: broken:key: internal error: the backend failed with an unexpected "
                + "java.lang.IllegalStateException; this is a bug in keysource or the backend, not in your "
                + "configuration: please report it at https://github.com/keysource-dev/keysource/issues\n");
        assertThat(out()).isEmpty();
        ErrorContract.assertReferenceOnce("stderr", "broken:key", err());
    }

    @Test
    void get_providerReturnsNoSource_exit1InternalError() {
        int code = new Cli(Map.of(), out, err, List.of(new BrokenProvider()))
                .run(new String[] {"get", "broken:null-source"});
        assertThat(code).isEqualTo(1);
        assertThat(err()).startsWith("keysource: broken:null-source: internal error: provider ")
                .contains("returned no source").endsWith("please report it at "
                        + "https://github.com/keysource-dev/keysource/issues\n");
        ErrorContract.assertReferenceOnce("stderr", "broken:null-source", err());
    }

    @Test
    void get_unexpectedExceptionOutsideAFetch_exit1OneLineNoStackTrace() {
        int code = new Cli(Map.of(), out, err, List.of(new BrokenProvider())).run(new String[] {"get", "broken:throws"});
        assertThat(code).isEqualTo(1);
        assertThat(err()).isEqualTo("keysource: internal error: an unexpected java.lang.IllegalStateException; this "
                + "is a bug in keysource, not in your configuration: please report it at "
                + "https://github.com/keysource-dev/keysource/issues\n");
    }

    @Test
    void internalError_lineNamesTheClassNotTheMessage() {
        assertThat(Cli.internalError(new NullPointerException("secret " + Canary.SECRET)))
                .isEqualTo("internal error: an unexpected java.lang.NullPointerException; this is a bug in keysource, "
                        + "not in your configuration: please report it at "
                        + "https://github.com/keysource-dev/keysource/issues");
    }

    private int runWithBytes(String... args) {
        return new Cli(Map.of(), out, err, List.of(new BytesProvider())).run(args);
    }

    @Test
    void get_binarySecret_printsBase64() {
        assertThat(runWithBytes("get", "bytes:blob")).isZero();
        assertThat(out()).isEqualTo("AAH+/w==\n");
    }

    @Test
    void get_binarySecretAsJson_saysBase64() {
        assertThat(runWithBytes("get", "--format=json", "bytes:blob")).isZero();
        assertThat(out()).isEqualTo("{\"reference\":\"bytes:blob\",\"scheme\":\"bytes\",\"value\":\"AAH+/w==\","
                + "\"encoding\":\"base64\",\"version\":\"v7\"}\n");
    }

    @Test
    void check_binarySecret_saysSo() {
        assertThat(runWithBytes("check", "bytes:blob")).isZero();
        assertThat(out()).contains("value      binary, 4 bytes, printed as base64 by get: **** (8 chars)\n")
                .contains("version    v7\n");
    }

    @Test
    void get_invalidTimeoutOrSetting_isAUsageOrConfigurationError() {
        assertThat(run("get", "--timeout", "soon", "script:echo k")).isEqualTo(2);
        assertThat(err()).isEqualTo("keysource: setting 'timeout' from command-line option --timeout must be a "
                + "positive duration: milliseconds (300000), a number with a unit (500ms, 30s, 5m, 1h) or ISO-8601 "
                + "(PT5M); got 'soon'\n");
        err.reset();
        assertThat(run("get", "--timeout", "400d", "script:echo k")).isEqualTo(2);
        assertThat(err()).isEqualTo("keysource: setting 'timeout' from command-line option --timeout must be at "
                + "most 365 days (365d); got '400d'\n");
        err.reset();
        assertThat(run("get", "--set", "no-such=1", "script:echo k")).isEqualTo(6);
        assertThat(err()).startsWith("keysource: script:echo k: unknown setting 'no-such' for scheme 'script'.");
    }

    @Test
    void help_listsCommandsExitCodesAndTheHelperSnippet() {
        assertThat(run("--help")).isZero();
        assertThat(out()).contains("keysource get [options] REF").contains("\"apiKeyHelper\": \"keysource get ")
                .contains("2 usage, 3 not found, 4 rejected");
    }

    @Test
    void version_namesTheVersionAndTheBackends() {
        assertThat(run("--version")).isZero();
        assertThat(out()).matches("keysource \\S+ \\(Java \\S+; backends: .*script.*\\)\n");
    }
}
