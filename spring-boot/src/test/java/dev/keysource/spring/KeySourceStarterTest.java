package dev.keysource.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keysource.CachedKey;
import dev.keysource.Keys;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.spring.internal.KeySourceFailureAnalyzer;
import dev.keysource.testkit.Canary;
import dev.keysource.vault.FakeVault;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.util.Collections;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.UrlResource;
import org.springframework.core.io.support.PropertiesLoaderUtils;

/**
 * Whole Spring Boot start-ups against the Vault fake: spring.config.import=keysource:..., the client and
 * named keys as beans, and start-up failures with the failure analyzer's text.
 */
class KeySourceStarterTest {

    static FakeVault vault;
    static String token;

    @BeforeAll
    static void startVault() {
        vault = FakeVault.start();
        token = vault.createToken(Duration.ZERO, false);
        vault.mountKv2("secret");
        vault.putKv("secret/billing", Map.of("db_password", Canary.SECRET + "-db", "api_key", Canary.SECRET + "-api",
                "user", "billing"));
        vault.putKv("secret/json", Map.of("config", "{\"url\":\"https://api.example\",\"key\":\"" + Canary.SECRET + "-j\",\"n\":3}"));
        vault.appRole("approle", "role-1", "secret-id-1", Duration.ofHours(1), true);
    }

    @AfterAll
    static void stopVault() {
        vault.close();
    }

    static ConfigurableApplicationContext start(String... args) {
        List<String> all = new ArrayList<>(List.of("--spring.main.banner-mode=off", "--keysource.backoff=1ms"));
        if (Arrays.stream(args).noneMatch(a -> a.startsWith("--keysource.vault.address="))) {
            all.add("--keysource.vault.address=" + vault.address());
        }
        all.addAll(List.of(args));
        return new SpringApplicationBuilder(StarterApp.class).web(WebApplicationType.NONE).logStartupInfo(false)
                .run(all.toArray(String[]::new));
    }

    static Throwable startFailure(String... args) {
        Throwable t = catchThrowable(() -> start(args).close());
        assertThat(t).as("start-up should have failed").isNotNull();
        Canary.assertAbsent(t);
        return t;
    }

    static List<Class<?>> causes(Throwable t) {
        List<Class<?>> out = new ArrayList<>();
        for (; t != null && out.size() < 30; t = t.getCause()) {
            out.add(t.getClass());
        }
        return out;
    }

    static FailureAnalysis analysis(Throwable t) {
        FailureAnalysis a = new KeySourceFailureAnalyzer().analyze(t);
        assertThat(a).as("keysource's analyzer handles %s", t).isNotNull();
        Canary.assertAbsent("failure description", a.getDescription());
        Canary.assertAbsent("failure action", a.getAction());
        return a;
    }

    @Test
    void import_withAppRole_resolvesPropertiesAndValueAndExposesClientAndNamedKeysClosedWithContext() {
        String dbRef = "vault:secret/billing#db_password";
        Keys keys;
        CachedKey named;
        try (ConfigurableApplicationContext ctx = start(
                "--spring.config.import=keysource:" + dbRef + "?prefix=db.,keysource:vault:secret/billing?fields=api_key|user&prefix=billing.",
                "--keysource.vault.auth=approle", "--keysource.vault.role-id=role-1", "--keysource.vault.secret-id=secret-id-1",
                "--db.password=${db.db_password}",
                "--keysource.keys.anthropic=vault:secret/billing#api_key")) {
            assertThat(ctx.getEnvironment().getProperty("db.db_password")).isEqualTo(Canary.SECRET + "-db");
            assertThat(ctx.getEnvironment().getProperty("billing.api_key")).isEqualTo(Canary.SECRET + "-api");
            assertThat(ctx.getEnvironment().getProperty("billing.user")).isEqualTo("billing");
            assertThat(ctx.getBean(StarterApp.Consumer.class).password).isEqualTo(Canary.SECRET + "-db");

            keys = ctx.getBean(Keys.class);
            named = ctx.getBean("anthropic", CachedKey.class);
            assertThat(named.get()).isEqualTo(Canary.SECRET + "-api");
            assertThat(keys.references()).contains(dbRef, "vault:secret/billing#api_key", "vault:secret/billing#user");
            // one client: the imports' client is the bean, and its login was AppRole
            assertThat(vault.count("POST", "auth/approle/login")).isEqualTo(1);
            assertThat(vault.issuedTokens()).hasSize(1);
            // Actuator's registry (spring-boot-micrometer-metrics is on the class path) got keysource's meters
            MeterRegistry registry = ctx.getBean(MeterRegistry.class);
            assertThat(registry.find("keysource.gets").tag("name", "anthropic").tag("scheme", "vault").meters()).isNotEmpty();
            assertThat(registry.find("keysource.gets").tag("name", "db.db_password").meters()).isNotEmpty();
            registry.getMeters().forEach(m -> Canary.assertAbsent("meter", m.getId().toString()));
        }
        String login = vault.issuedTokens().get(0);
        assertThat(catchThrowable(named::get)).as("the named key is closed with the context").isNotNull();
        assertThat(catchThrowable(() -> keys.get(dbRef))).as("the client is closed with the context").isNotNull();
        assertThat(vault.valid(login)).as("the client's AppRole token is revoked on close").isFalse();
    }

    @Test
    void import_wholeJsonSecretUnderPrefix_importsEveryMember() {
        try (ConfigurableApplicationContext ctx = start("--keysource.vault.token=" + token,
                "--spring.config.import=keysource:vault:secret/json?prefix=api.,keysource:vault:secret/billing#user?property=app.user")) {
            assertThat(ctx.getEnvironment().getProperty("app.user")).isEqualTo("billing");
            assertThat(ctx.getEnvironment().getProperty("api.url")).isEqualTo("https://api.example");
            assertThat(ctx.getEnvironment().getProperty("api.key")).isEqualTo(Canary.SECRET + "-j");
            assertThat(ctx.getEnvironment().getProperty("api.n", Integer.class)).isEqualTo(3);
        }
    }

    @Test
    void import_missingSecretOptional_startsWithoutIt() {
        try (ConfigurableApplicationContext ctx = start("--keysource.vault.token=" + token,
                "--spring.config.import=optional:keysource:vault:secret/nothing-here#password?prefix=db.")) {
            assertThat(ctx.getEnvironment().getProperty("db.password")).isNull();
            assertThat(ctx.getBean(StarterApp.Consumer.class).password).isEqualTo("none");
        }
    }

    @Test
    void import_missingSecretWithFailFastOff_startsAndReadsTheSecretOnceItExists() {
        try (ConfigurableApplicationContext ctx = start("--keysource.vault.token=" + token, "--keysource.fail-fast=false",
                "--spring.config.import=keysource:vault:secret/later#password?prefix=db.")) {
            assertThat(ctx.getBean(StarterApp.Consumer.class).password).as("the placeholder's default").isEqualTo("none");
            vault.putKv("secret/later", Map.of("password", Canary.SECRET + "-later"));
            assertThat(ctx.getEnvironment().getProperty("db.password")).isEqualTo(Canary.SECRET + "-later");
        }
    }

    @Test
    void import_missingSecret_failsStartUpWithAnalyzerDescription() {
        Throwable t = startFailure("--keysource.vault.token=" + token,
                "--spring.config.import=keysource:vault:secret/nothing-here#password");
        FailureAnalysis a = analysis(t);
        assertThat(a.getDescription()).startsWith("keysource could not fetch vault:secret/nothing-here#password for "
                + "spring.config.import=keysource:vault:secret/nothing-here#password: ");
        assertThat(a.getAction()).startsWith("There is no secret at vault:secret/nothing-here#password "
                + "(spring.config.import=keysource:vault:secret/nothing-here#password). Check the path and field, "
                + "e.g. with vault kv get, or fix the reference.")
                .contains("spring.config.import=optional:keysource:", "keysource.fail-fast=false");
    }

    @Test
    void import_refusedAppRoleSecretId_failsStartUpNamingTheCredentials() {
        Throwable t = startFailure("--spring.config.import=keysource:vault:secret/billing#db_password",
                "--keysource.vault.auth=approle", "--keysource.vault.role-id=role-1",
                "--keysource.vault.secret-id=" + Canary.SECRET);
        assertThat(causes(t)).contains(SourceAccessDeniedException.class);
        FailureAnalysis a = analysis(t);
        assertThat(a.getDescription()).startsWith("keysource could not fetch vault:secret/billing#db_password for "
                + "spring.config.import=keysource:vault:secret/billing#db_password: ");
        assertThat(a.getAction()).startsWith("The backend refused keysource's credentials or their policy does not "
                + "allow reading vault:secret/billing#db_password (spring.config.import=keysource:vault:secret/billing#db_password). "
                + "Check the credentials (keysource.vault.token, or keysource.vault.auth=approle with "
                + "keysource.vault.role-id and keysource.vault.secret-id)");
    }

    @Test
    void namedKey_unreachableVault_failsStartUp_andStartsWithFailFastOff() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String address = "--keysource.vault.address=http://127.0.0.1:" + closed;
        Throwable t = startFailure(address, "--keysource.vault.token=" + token, "--keysource.max-attempts=1",
                "--keysource.keys.anthropic=vault:secret/billing#api_key");
        assertThat(causes(t)).contains(SourceUnavailableException.class);
        FailureAnalysis a = analysis(t);
        assertThat(a.getDescription()).startsWith("keysource could not fetch vault:secret/billing#api_key "
                + "(keysource.keys.anthropic) at start-up: ");
        assertThat(a.getAction()).startsWith("The backend did not answer for vault:secret/billing#api_key "
                + "(keysource.keys.anthropic). Check that it is reachable at the address in the message "
                + "(keysource.vault.address or the backend's environment variables)");

        try (ConfigurableApplicationContext ctx = start(address, "--keysource.vault.token=" + token,
                "--keysource.max-attempts=1", "--keysource.fail-fast=false",
                "--keysource.keys.anthropic=vault:secret/billing#api_key")) {
            assertThat(ctx.getBean("anthropic", CachedKey.class).reference()).isEqualTo("vault:secret/billing#api_key");
        }
    }

    @Test
    void badDuration_failsStartUpNamingTheProperty() {
        Throwable t = startFailure("--keysource.stale-grace=bogus");
        FailureAnalysis a = analysis(t);
        assertThat(a.getDescription()).startsWith("Invalid value 'bogus' for keysource.stale-grace (from ");
        assertThat(a.getAction()).isEqualTo("Set keysource.stale-grace to a duration with a unit, such as 30s, 5m, 1h "
                + "or PT5M (docs/spring-boot.md lists every property with its default).");
    }

    @Test
    void valueKeysourceRefuses_failsStartUpNamingTheProperty() {
        Throwable t = startFailure("--keysource.refresh-ahead=1.5");
        FailureAnalysis a = analysis(t);
        assertThat(a.getDescription()).startsWith("Invalid value '1.5' for keysource.refresh-ahead: ");
        assertThat(a.getAction()).isEqualTo("Fix keysource.refresh-ahead (docs/spring-boot.md lists every property "
                + "with its default and allowed values).");
    }

    @Test
    void failureAnalyzer_isRegisteredForBoot() throws Exception {
        List<String> analyzers = new ArrayList<>();
        for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/spring.factories"))) {
            Properties factories = PropertiesLoaderUtils.loadProperties(new UrlResource(url));
            analyzers.add(factories.getProperty(FailureAnalyzer.class.getName(), ""));
        }
        assertThat(analyzers).anySatisfy(a -> assertThat(a).contains(KeySourceFailureAnalyzer.class.getName()));
    }
}
