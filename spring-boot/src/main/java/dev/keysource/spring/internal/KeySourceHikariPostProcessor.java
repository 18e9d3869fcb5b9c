package dev.keysource.spring.internal;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.Credentials;
import com.zaxxer.hikari.util.DriverDataSource;
import dev.keysource.CachedKey;
import dev.keysource.Keys;
import dev.keysource.spring.RotatingPasswordDataSource;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * Makes a Hikari pool's password follow a keysource key: Hikari asks a credentials provider (the key's
 * current value) for the password of each new physical connection, and a {@link RotatingPasswordDataSource}
 * below the pool rejects a password the database refuses (SQLState class 28) and retries once with the
 * fresh value. The key is {@code keysource.datasource.password-reference}, or, when that is not set, the
 * reference behind {@code spring.datasource.password} if that property is imported with
 * {@code spring.config.import=keysource:...} (directly, or as {@code ${name}} of an imported property).
 */
public final class KeySourceHikariPostProcessor implements BeanPostProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(KeySourceHikariPostProcessor.class);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^:}]+)}");
    static final String PASSWORD = "spring.datasource.password";

    private final ObjectProvider<Keys> keys;
    private final ObjectProvider<ImportedKeys> imported;
    private final Environment environment;

    /**
     * @param keys the client
     * @param imported the imported properties
     * @param environment the application's environment
     */
    public KeySourceHikariPostProcessor(ObjectProvider<Keys> keys, ObjectProvider<ImportedKeys> imported,
                                        Environment environment) {
        this.keys = keys;
        this.imported = imported;
        this.environment = environment;
    }

    /** The reference of the DataSource password, or {@code null} when it does not come from keysource. */
    static String passwordReference(Environment environment, ImportedKeys imported) {
        String explicit = environment.getProperty("keysource.datasource.password-reference");
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        if (imported == null || !(environment instanceof ConfigurableEnvironment env)) {
            return null;
        }
        for (PropertySource<?> source : env.getPropertySources()) {
            Object raw = source.getProperty(PASSWORD);
            if (raw == null) {
                continue;
            }
            if (source instanceof KeySourcePropertySource) {
                return imported.referenceOf(PASSWORD);
            }
            Matcher m = PLACEHOLDER.matcher(String.valueOf(raw).trim());
            return m.matches() ? imported.referenceOf(m.group(1).trim()) : null;
        }
        return null;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (!(bean instanceof HikariDataSource ds) || ds.getDataSource() instanceof RotatingPasswordDataSource) {
            return bean;
        }
        String reference = passwordReference(environment, imported.getIfAvailable());
        if (reference == null) {
            return bean;
        }
        if (ds.getDataSourceClassName() != null && ds.getDataSource() == null) {
            LOG.warn("keysource: the pool '{}' uses dataSourceClassName {}; its password follows {} but a refused "
                    + "password is not retried (use spring.datasource.url instead)", beanName,
                    ds.getDataSourceClassName(), reference);
        } else {
            DataSource target = ds.getDataSource() != null ? ds.getDataSource()
                    : new DriverDataSource(ds.getJdbcUrl(), ds.getDriverClassName(), ds.getDataSourceProperties(),
                            ds.getUsername(), null);
            CachedKey key = keys.getObject().key(reference);
            ds.setDataSource(new RotatingPasswordDataSource(target, ds.getUsername(), key));
        }
        CachedKey password = keys.getObject().key(reference);
        String user = ds.getUsername();
        ds.setCredentialsProvider(() -> Credentials.of(user, password.get()));
        LOG.debug("keysource: the pool '{}' takes its password from {}", beanName, reference);
        return bean;
    }
}
