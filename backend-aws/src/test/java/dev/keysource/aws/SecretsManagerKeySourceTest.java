package dev.keysource.aws;

import static dev.keysource.aws.TestEnv.builder;
import static dev.keysource.aws.TestEnv.fetcher;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.CachedKey;
import dev.keysource.KeyEvent;
import dev.keysource.KeyFetcher;
import dev.keysource.Secret;
import dev.keysource.testkit.Canary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads through the real SDK client against the loopback fake: name, ARN, stage, version, field, binary, rotation. */
class SecretsManagerKeySourceTest {

    @TempDir
    Path home;

    private FakeSecretsManager fake;
    private Map<String, String> env;

    @BeforeEach
    void start() {
        fake = FakeSecretsManager.start();
        env = TestEnv.env(fake, home);
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private Secret fetch(String reference) {
        try (KeyFetcher f = fetcher(reference, env)) {
            return f.fetch();
        }
    }

    @Test
    void fetch_byName_returnsSecretStringWithOneSignedRequest() {
        fake.putSecretString("prod/claude", Canary.SECRET);

        Secret s = fetch("aws-sm:prod/claude");

        assertThat(s.matches(Canary.SECRET)).isTrue();
        assertThat(s.isBinary()).isFalse();
        assertThat(fake.getSecretValueCount()).isEqualTo(1);
        FakeSecretsManager.Request r = fake.lastRequest();
        assertThat(r.target).isEqualTo("secretsmanager.GetSecretValue");
        assertThat(r.secretId).isEqualTo("prod/claude");
        assertThat(r.versionStage).isNull();
        assertThat(r.versionId).isNull();
        assertThat(r.signingRegion).isEqualTo("us-east-1");
        assertThat(r.accessKeyId).isEqualTo(TestEnv.ACCESS_KEY_ID);
        assertThat(r.sessionToken).isFalse();
    }

    @Test
    void fetch_byArn_readsThatSecretAndSignsForTheArnsRegion() {
        try (FakeSecretsManager paris = FakeSecretsManager.start("eu-west-3")) {
            paris.putSecretString("prod/claude", Canary.SECRET);
            env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", paris.endpoint().toString());
            String arn = paris.arn("prod/claude");

            Secret s = fetch("aws-sm:" + arn);

            assertThat(s.matches(Canary.SECRET)).isTrue();
            assertThat(paris.lastRequest().secretId).isEqualTo(arn);
            assertThat(paris.lastRequest().signingRegion).as("AWS_REGION is us-east-1; the ARN says eu-west-3")
                    .isEqualTo("eu-west-3");
        }
    }

    @Test
    void fetch_withField_returnsThatFieldOfTheJsonSecretString() {
        fake.putSecretString("prod/claude", "{\"user\":\"svc\",\"api_key\":\"" + Canary.SECRET + "\",\"port\":5432}");

        assertThat(fetch("aws-sm:prod/claude#api_key").matches(Canary.SECRET)).isTrue();
        assertThat(fetch("aws-sm:prod/claude#port").value()).isEqualTo("5432");
        assertThat(fetch("aws-sm:prod/claude").value()).as("without #field the whole string is the secret")
                .startsWith("{\"user\"");
    }

    @Test
    void fetch_fieldBeforeOptions_isReadAsTyped() {
        fake.putSecretString("prod/claude", "{\"api_key\":\"old\"}");
        fake.putSecretString("prod/claude", "{\"api_key\":\"new\"}");

        assertThat(fetch("aws-sm:prod/claude#api_key?stage=AWSPREVIOUS").value()).isEqualTo("old");
    }

    @Test
    void fetch_stageOption_sendsTheStageAndReturnsThatVersion() {
        String v1 = fake.putSecretString("prod/claude", "first");
        fake.putSecretString("prod/claude", "second");

        Secret previous = fetch("aws-sm:prod/claude?stage=AWSPREVIOUS");

        assertThat(previous.value()).isEqualTo("first");
        assertThat(previous.version()).contains(v1);
        assertThat(fake.lastRequest().versionStage).isEqualTo("AWSPREVIOUS");
        assertThat(fake.lastRequest().versionId).isNull();
    }

    @Test
    void fetch_versionOption_sendsTheVersionIdAndReturnsThatVersion() {
        String v1 = fake.putSecretString("prod/claude", "first");
        fake.putSecretString("prod/claude", "second");

        Secret s = fetch("aws-sm:prod/claude?version=" + v1);

        assertThat(s.value()).isEqualTo("first");
        assertThat(s.version()).contains(v1);
        assertThat(fake.lastRequest().versionId).isEqualTo(v1);
        assertThat(fake.lastRequest().versionStage).isNull();
    }

    @Test
    void fetch_stageAsCodeSetting_winsOverTheReferenceOption() {
        fake.putSecretString("prod/claude", "first");
        fake.putSecretString("prod/claude", "second");

        try (KeyFetcher f = builder("aws-sm:prod/claude?stage=AWSCURRENT", env).setting("stage", "AWSPREVIOUS")
                .buildFetcher()) {
            assertThat(f.fetch().value()).isEqualTo("first");
        }
    }

    @Test
    void fetch_binarySecret_returnsTheBytes() {
        byte[] bytes = {0, 1, 2, (byte) 0xff, (byte) 0xfe, 'k'};
        fake.putSecretBinary("tls/key", bytes);

        Secret s = fetch("aws-sm:tls/key");

        assertThat(s.isBinary()).isTrue();
        assertThat(s.bytes()).containsExactly(bytes);
    }

    @Test
    void fetch_nonAsciiString_isDecodedAsUtf8() {
        fake.putSecretString("prod/utf8", "päss-wörd-✓");

        assertThat(fetch("aws-sm:prod/utf8").bytes()).isEqualTo("päss-wörd-✓".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void fetch_secret_carriesVersionIdAndCreatedDate() {
        Instant created = Instant.parse("2026-03-01T12:34:56.789Z");
        fake.clock(Clock.fixed(created, ZoneOffset.UTC));
        String version = fake.putSecretString("prod/claude", "v");

        Secret s = fetch("aws-sm:prod/claude");

        assertThat(s.version()).contains(version);
        assertThat(s.created()).contains(created);
        assertThat(s.expiry()).isEmpty();
        assertThat(s.toString()).contains(version);
    }

    @Test
    void get_afterAwsCurrentMovesAndTheOldValueIsRejected_returnsTheNewValue() {
        String oldValue = Canary.SECRET + "-old";
        String newValue = Canary.SECRET + "-new";
        String v1 = fake.putSecretString("prod/claude", "{\"api_key\":\"" + oldValue + "\"}");
        List<KeyEvent> events = new CopyOnWriteArrayList<>();
        try (CachedKey key = builder("aws-sm:prod/claude#api_key", env).listener(events::add).build();
             CachedKey previous = builder("aws-sm:prod/claude#api_key?stage=AWSPREVIOUS", env).build()) {
            assertThat(key.get()).isEqualTo(oldValue);

            String v2 = fake.putSecretString("prod/claude", "{\"api_key\":\"" + newValue + "\"}");
            assertThat(key.get()).as("cached until rejected").isEqualTo(oldValue);
            assertThat(fake.getSecretValueCount()).isEqualTo(1);

            assertThat(key.reject(oldValue)).isTrue();
            assertThat(key.get()).isEqualTo(newValue);
            assertThat(key.secret().version()).contains(v2);
            assertThat(key.reject(oldValue)).as("already replaced").isFalse();
            assertThat(previous.get()).isEqualTo(oldValue);
            assertThat(previous.secret().version()).contains(v1);
        }
        assertThat(events).extracting(KeyEvent::type).contains(KeyEvent.Type.ROTATED);
        assertThat(events).filteredOn(e -> e.type() == KeyEvent.Type.ROTATED).first()
                .satisfies(e -> assertThat(e.toString()).doesNotContain(Canary.SECRET));
    }

    @Test
    void get_pendingVersionStagedByRotation_isReadableByItsStage() {
        fake.putSecretString("prod/claude", "current");
        fake.putSecretString("prod/claude", "pending", "AWSPENDING");

        assertThat(fetch("aws-sm:prod/claude").value()).isEqualTo("current");
        assertThat(fetch("aws-sm:prod/claude?stage=AWSPENDING").value()).isEqualTo("pending");
    }
}
