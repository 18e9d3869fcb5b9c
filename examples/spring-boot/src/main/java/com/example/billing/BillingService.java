package com.example.billing;

import dev.keysource.CachedKey;
import java.util.function.Function;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Reads invoices from the database (whose pool takes its password from keysource) and builds the
 * Authorization header for the models API from the {@code modelsApiKey} key.
 */
@Service
public class BillingService {

    private final JdbcTemplate jdbc;
    private final CachedKey modelsApiKey;

    public BillingService(JdbcTemplate jdbc, @Qualifier("modelsApiKey") CachedKey modelsApiKey) {
        this.jdbc = jdbc;
        this.modelsApiKey = modelsApiKey;
    }

    /** Creates the table and one invoice, as a migration would. */
    public void init() {
        jdbc.execute("CREATE TABLE IF NOT EXISTS invoice (id INT PRIMARY KEY, amount_cents INT)");
        jdbc.update("MERGE INTO invoice KEY (id) VALUES (1, 4200)");
    }

    /** The number of invoices. */
    public int invoices() {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM invoice", Integer.class);
        return n == null ? 0 : n;
    }

    /**
     * Calls the models API with the current key: {@code call} gets the Authorization header value; a reply the
     * API refused (401/403, here {@code rejected}) drops the key, and the call is made once more with a fresh one.
     */
    public <T> T callModelsApi(Function<String, T> call, java.util.function.Predicate<? super T> rejected) {
        return modelsApiKey.withKey(key -> call.apply("Bearer " + key), rejected);
    }
}
