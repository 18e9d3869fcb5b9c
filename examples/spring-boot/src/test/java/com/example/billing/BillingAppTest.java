package com.example.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.keysource.testkit.Canary;
import dev.keysource.vault.FakeVault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the service against the loopback Vault fake (AppRole login, KV v2) and an in-memory database: the
 * pool's password and the API key come from Vault; both are rotated and the service keeps working.
 */
class BillingAppTest {

    static FakeVault vault;

    @BeforeAll
    static void startVault() {
        vault = FakeVault.start();
        vault.mountKv2("secret");
        vault.appRole("approle", "billing-role", "billing-secret-id", Duration.ofHours(1), true);
        vault.putKv("secret/billing", Map.of("db_password", Canary.SECRET + "-db1", "api_key", Canary.SECRET + "-key1"));
    }

    @AfterAll
    static void stopVault() {
        vault.close();
    }

    @Test
    void start_readsDatabasePasswordAndApiKeyFromVault_andFollowsTheirRotation() {
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(BillingApp.class).main(BillingApp.class)
                .web(WebApplicationType.NONE)
                .run("--keysource.vault.address=" + vault.address(), "--keysource.vault.role-id=billing-role",
                        "--keysource.vault.secret-id=billing-secret-id", "--spring.main.banner-mode=off")) {
            BillingService billing = ctx.getBean(BillingService.class);
            billing.init();
            assertThat(billing.invoices()).isEqualTo(1);

            // the API accepts one key at a time; the key rotates at Vault
            String[] accepted = {Canary.SECRET + "-key1"};
            List<Integer> statuses = new ArrayList<>();
            assertThat(billing.<Integer>callModelsApi(h -> status(h, accepted, statuses), s -> s == 401)).isEqualTo(200);
            vault.putKv("secret/billing", Map.of("db_password", Canary.SECRET + "-db1", "api_key", Canary.SECRET + "-key2"));
            accepted[0] = Canary.SECRET + "-key2";
            assertThat(billing.<Integer>callModelsApi(h -> status(h, accepted, statuses), s -> s == 401)).isEqualTo(200);
            assertThat(statuses).containsExactly(200, 401, 200);

            // the database password rotates in the database first, then in Vault
            ctx.getBean(org.springframework.jdbc.core.JdbcTemplate.class)
                    .execute("ALTER USER billing SET PASSWORD '" + Canary.SECRET + "-db2'");
            vault.putKv("secret/billing", Map.of("db_password", Canary.SECRET + "-db2", "api_key", Canary.SECRET + "-key2"));
            ctx.getBean(HikariDataSource.class).getHikariPoolMXBean().softEvictConnections();
            assertThat(billing.invoices()).as("a new connection: refused once, password fetched again").isEqualTo(1);

            HealthIndicator health = ctx.getBean("keysourceHealthIndicator", HealthIndicator.class);
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
            Canary.assertAbsent("health", String.valueOf(health.health().getDetails()));
        }
    }

    private static int status(String authorization, String[] accepted, List<Integer> statuses) {
        int status = authorization.equals("Bearer " + accepted[0]) ? 200 : 401;
        statuses.add(status);
        return status;
    }
}
