package dev.keysource.spring;

import dev.keysource.CachedKey;
import java.io.PrintWriter;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * A {@link DataSource} whose connections are opened with the current value of a keysource key as the
 * password, and which survives a rotation that reached the database before the cache: when the database
 * refuses the password (SQLState class {@code 28}, "invalid authorization specification", e.g. PostgreSQL's
 * {@code 28P01}), it rejects that value at the key ({@link CachedKey#reject(String)}), reads the fresh one
 * and opens the connection once more. A second refusal is thrown to the caller.
 *
 * <p>The starter puts one below a Hikari pool when {@code keysource.datasource.password-reference} is set
 * (Hikari then asks a credentials provider for the password of each new physical connection). It can also
 * wrap any other {@code DataSource} by hand:
 *
 * <pre>{@code
 * DataSource ds = new RotatingPasswordDataSource(driverDataSource, "app", keys.key("vault:secret/db#password"));
 * }</pre>
 *
 * <p>Only new physical connections see a new password; connections a pool already holds keep working until
 * it retires them (a database keeps sessions open when a role's password changes). No password appears in
 * a log line or exception message of this class.
 */
public final class RotatingPasswordDataSource implements DataSource {

    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(RotatingPasswordDataSource.class);

    /** The SQLState class of authentication failures (SQL:2011 "invalid authorization specification"). */
    public static final String AUTHENTICATION_SQLSTATE_CLASS = "28";

    private final DataSource target;
    private final String username;
    private final CachedKey password;

    /**
     * @param target opens the physical connections; must honour {@link DataSource#getConnection(String, String)}
     * @param username the database user, or {@code null} to let {@code target} choose (then the password is
     *                 still passed, with a {@code null} user)
     * @param password the key holding the database password
     */
    public RotatingPasswordDataSource(DataSource target, String username, CachedKey password) {
        this.target = Objects.requireNonNull(target, "target");
        this.username = username;
        this.password = Objects.requireNonNull(password, "password");
    }

    /** Opens a connection as the configured user with the key's current password. */
    @Override
    public Connection getConnection() throws SQLException {
        return getConnection(username, password.get());
    }

    /**
     * Opens a connection with the given password (Hikari passes the one its credentials provider gave);
     * on an authentication failure rejects that password at the key and retries once with the fresh value.
     */
    @Override
    public Connection getConnection(String user, String pass) throws SQLException {
        String attempt = pass == null ? password.get() : pass;
        try {
            return target.getConnection(user, attempt);
        } catch (SQLException refused) {
            if (!isAuthenticationFailure(refused)) {
                throw refused;
            }
            password.reject(attempt);
            String fresh = password.get();
            if (same(fresh, attempt)) {
                LOG.warn("keysource: the database refused the password of {} for user '{}' (SQLState {}), and the "
                        + "secret store still holds the same password; update the secret or the database user",
                        password.reference(), user, refused.getSQLState());
                throw refused;
            }
            LOG.info("keysource: the database refused the password of {} for user '{}' (SQLState {}); rejected it, "
                    + "fetched the current one and retrying once", password.reference(), user, refused.getSQLState());
            try {
                return target.getConnection(user, fresh);
            } catch (SQLException again) {
                again.addSuppressed(refused);
                throw again;
            }
        }
    }

    /** Whether {@code e}, or an exception it chains to, carries an SQLState of class {@code 28}. */
    public static boolean isAuthenticationFailure(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            String state = s.getSQLState();
            if (state != null && state.startsWith(AUTHENTICATION_SQLSTATE_CLASS)) {
                return true;
            }
            if (s.getCause() instanceof SQLException cause && cause != s.getNextException()) {
                String cs = cause.getSQLState();
                if (cs != null && cs.startsWith(AUTHENTICATION_SQLSTATE_CLASS)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** The key holding the password. */
    public CachedKey passwordKey() {
        return password;
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : target.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || target.isWrapperFor(type);
    }

    @Override
    public String toString() {
        return "RotatingPasswordDataSource[user=" + username + ", password=" + password.reference() + "]";
    }
}
