package dev.keysource.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.keysource.CachedKey;
import dev.keysource.testkit.Canary;
import dev.keysource.vault.FakeVault;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A real PostgreSQL (Debian's package, started from a temporary directory on a loopback port): the Hikari
 * pool takes its password from Vault; the password is rotated in the database, then in Vault, while the
 * cache still holds the old one; the next new connection is refused once (28P01), the password is rejected
 * and fetched again, and no request fails.
 */
class HikariRotationTest {

    static PostgresServer pg;
    static FakeVault vault;
    static String token;

    @BeforeAll
    static void start() {
        pg = PostgresServer.startOrSkip();
        vault = FakeVault.start();
        token = vault.createToken(Duration.ZERO, false);
        vault.mountKv2("secret");
    }

    @AfterAll
    static void stop() {
        if (vault != null) {
            vault.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    ApplicationContextRunner runner(String role) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, KeySourceAutoConfiguration.class))
                .withPropertyValues(
                        "spring.datasource.url=" + pg.jdbcUrl(),
                        "spring.datasource.username=" + role,
                        "spring.datasource.hikari.maximum-pool-size=2",
                        "spring.datasource.hikari.minimum-idle=0",
                        "spring.datasource.hikari.connection-timeout=3000", // milliseconds: a failing test fails in seconds
                        "keysource.vault.address=" + vault.address(),
                        "keysource.vault.token=" + token,
                        "keysource.ttl=1h",
                        "keysource.datasource.password-reference=vault:secret/" + role + "#password?kv=2");
    }

    @Test
    void rotation_databaseFirstThenVault_newConnectionSucceedsAfterOneRejectAndRefetch_noFailedRequest() {
        String before = Canary.SECRET + "-before";
        String after = Canary.SECRET + "-after";
        pg.createRole("billing", before);
        vault.putKv("secret/billing", Map.of("password", before));

        runner("billing").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            HikariDataSource ds = ctx.getBean(HikariDataSource.class);
            assertThat(query(ds)).isEqualTo("billing");
            CachedKey key = ds.getDataSource().unwrap(RotatingPasswordDataSource.class).passwordKey();
            int reads = vault.count("GET", "secret/data/billing");
            assertThat(reads).isEqualTo(1);

            // the rotation reaches the database first; the cache (TTL 1h) still holds the old password
            pg.setPassword("billing", after);
            vault.putKv("secret/billing", Map.of("password", after));
            int failed = 0;
            for (int i = 0; i < 5; i++) {
                try {
                    assertThat(query(ds)).isEqualTo("billing"); // pooled connection: still fine
                } catch (SQLException e) {
                    failed++;
                }
            }
            ds.getHikariPoolMXBean().softEvictConnections(); // the next query needs a new physical connection
            for (int i = 0; i < 5; i++) {
                try {
                    assertThat(query(ds)).isEqualTo("billing");
                } catch (SQLException e) {
                    failed++;
                }
            }
            assertThat(failed).as("failed requests").isZero();
            assertThat(key.stats().rejections()).as("the refused password was rejected once").isEqualTo(1);
            assertThat(vault.count("GET", "secret/data/billing")).as("one re-fetch").isEqualTo(reads + 1);
            assertThat(key.get()).isEqualTo(after);
        });
    }

    @Test
    void rotation_databaseOnly_secondRefusalIsThrownAfterOneRetry() {
        String current = Canary.SECRET + "-only";
        pg.createRole("reports", current);
        vault.putKv("secret/reports", Map.of("password", current));

        runner("reports").run(ctx -> {
            HikariDataSource ds = ctx.getBean(HikariDataSource.class);
            DataSource below = ds.getDataSource();
            assertThat(below).isInstanceOf(RotatingPasswordDataSource.class);
            pg.setPassword("reports", Canary.SECRET + "-elsewhere"); // Vault was never updated
            int reads = vault.count("GET", "secret/data/reports");
            SQLException e = org.assertj.core.api.Assertions.catchThrowableOfType(SQLException.class,
                    () -> below.getConnection("reports", current).close());
            assertThat((Throwable) e).isNotNull();
            assertThat(RotatingPasswordDataSource.isAuthenticationFailure(e)).isTrue();
            assertThat(e.getSQLState()).isEqualTo("28P01");
            assertThat(vault.count("GET", "secret/data/reports")).as("one re-fetch, no loop").isEqualTo(reads + 1);
            Canary.assertAbsent(e);
        });
    }

    private static String query(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_user")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
