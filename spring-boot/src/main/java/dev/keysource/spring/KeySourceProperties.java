package dev.keysource.spring;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code keysource.*} properties: defaults for every key of the application's client, backend settings,
 * named keys and the starter's switches. Bound from the Spring {@code Environment}, so they can come from
 * {@code application.properties}, YAML, {@code -Dkeysource.ttl=1m} or {@code KEYSOURCE_TTL=1m}. A value
 * Spring cannot convert (e.g. {@code keysource.stale-grace=bogus}) or keysource refuses (e.g.
 * {@code keysource.refresh-ahead=1.5}) fails start-up with a message naming the property. A reference
 * option ({@code ?ttl=1m}) still overrides these defaults for its key. See {@code docs/spring-boot.md}.
 */
@ConfigurationProperties(prefix = KeySourceProperties.PREFIX)
public class KeySourceProperties {

    /** The prefix of every property of this class. */
    public static final String PREFIX = "keysource";

    /** How long a fetched value is used when the backend gives no expiry. */
    private Duration ttl = Duration.ofMinutes(5);
    /** Fraction of the TTL after which a background refresh starts, in (0, 1). */
    private double refreshAhead = 0.8;
    /** Random spread of the refresh point, as a fraction of the TTL, in [0, 1). */
    private double jitter = 0.1;
    /** How long a value may still be served after its TTL while refreshes fail. */
    private Duration staleGrace = Duration.ofMinutes(5);
    /** A value carrying a backend expiry is treated as expiring this much earlier. */
    private Duration expirySkew = Duration.ofSeconds(30);
    /** Time limit of one fetch attempt. */
    private Duration timeout = Duration.ofSeconds(30);
    /** Attempts per fetch, the first one included (transient failures only are retried). */
    private int maxAttempts = 3;
    /** Wait before the first retry (doubled at each further retry). */
    private Duration backoff = Duration.ofMillis(200);
    /** A fetch slower than this emits a SLOW_FETCH event and a warning. */
    private Duration slowThreshold = Duration.ofSeconds(10);
    /** Most entries the client caches (none set: the client's own bound). */
    private Long maximumSize;
    /** Count cache hits, for the keysource.gets{result=hit} meter. */
    private boolean recordStats = true;
    /**
     * Fetch every named key, the DataSource password and every imported reference at start-up and fail
     * start-up if one cannot be fetched. Off: start anyway, log a warning, fetch on first use.
     */
    private boolean failFast = true;
    /** Publish keysource's events (rotated, refresh failed, expired, ...) as Spring application events. */
    private boolean publishEvents = true;
    /** Named keys: {@code keysource.keys.<name>=<reference>} makes a CachedKey bean called {@code <name>}. */
    private Map<String, String> keys = new LinkedHashMap<>();
    /**
     * Backend settings of any scheme: {@code keysource.settings.<scheme>.<setting>=<value>}, e.g.
     * {@code keysource.settings.aws-sm.region=eu-west-1}; same as the backend's setting given in code.
     */
    private Map<String, Map<String, String>> settings = new LinkedHashMap<>();
    /** HashiCorp Vault settings (docs/vault.md); shortcuts for {@code keysource.settings.vault.*}. */
    private final Vault vault = new Vault();
    /** AWS Secrets Manager settings (docs/aws.md); shortcuts for {@code keysource.settings.aws-sm.*}. */
    private final Aws aws = new Aws();
    /** A DataSource password that follows a secret. */
    private final Datasource datasource = new Datasource();

    public Duration getTtl() {
        return ttl;
    }

    public void setTtl(Duration ttl) {
        this.ttl = ttl;
    }

    public double getRefreshAhead() {
        return refreshAhead;
    }

    public void setRefreshAhead(double refreshAhead) {
        this.refreshAhead = refreshAhead;
    }

    public double getJitter() {
        return jitter;
    }

    public void setJitter(double jitter) {
        this.jitter = jitter;
    }

    public Duration getStaleGrace() {
        return staleGrace;
    }

    public void setStaleGrace(Duration staleGrace) {
        this.staleGrace = staleGrace;
    }

    public Duration getExpirySkew() {
        return expirySkew;
    }

    public void setExpirySkew(Duration expirySkew) {
        this.expirySkew = expirySkew;
    }

    public Duration getTimeout() {
        return timeout;
    }

    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public Duration getBackoff() {
        return backoff;
    }

    public void setBackoff(Duration backoff) {
        this.backoff = backoff;
    }

    public Duration getSlowThreshold() {
        return slowThreshold;
    }

    public void setSlowThreshold(Duration slowThreshold) {
        this.slowThreshold = slowThreshold;
    }

    public Long getMaximumSize() {
        return maximumSize;
    }

    public void setMaximumSize(Long maximumSize) {
        this.maximumSize = maximumSize;
    }

    public boolean isRecordStats() {
        return recordStats;
    }

    public void setRecordStats(boolean recordStats) {
        this.recordStats = recordStats;
    }

    public boolean isFailFast() {
        return failFast;
    }

    public void setFailFast(boolean failFast) {
        this.failFast = failFast;
    }

    public boolean isPublishEvents() {
        return publishEvents;
    }

    public void setPublishEvents(boolean publishEvents) {
        this.publishEvents = publishEvents;
    }

    public Map<String, String> getKeys() {
        return keys;
    }

    public void setKeys(Map<String, String> keys) {
        this.keys = keys;
    }

    public Map<String, Map<String, String>> getSettings() {
        return settings;
    }

    public void setSettings(Map<String, Map<String, String>> settings) {
        this.settings = settings;
    }

    public Vault getVault() {
        return vault;
    }

    public Aws getAws() {
        return aws;
    }

    public Datasource getDatasource() {
        return datasource;
    }

    /** Vault settings; unset ones fall back to VAULT_ADDR, VAULT_TOKEN, ... as in docs/vault.md. */
    public static class Vault {
        /** Vault's address, e.g. https://vault.example.com:8200 (default: VAULT_ADDR). */
        private String address;
        /** A Vault token for token auth (default: VAULT_TOKEN, then ~/.vault-token). */
        private String token;
        /** Vault Enterprise namespace (default: VAULT_NAMESPACE). */
        private String namespace;
        /** How to log in: token, approle or kubernetes. */
        private String auth;
        /** Where the auth method is mounted (default: approle / kubernetes). */
        private String authMount;
        /** AppRole role ID (default: VAULT_ROLE_ID). */
        private String roleId;
        /** A file holding the AppRole role ID. */
        private String roleIdFile;
        /** AppRole secret ID (default: VAULT_SECRET_ID). */
        private String secretId;
        /** A file holding the AppRole secret ID, re-read at each login. */
        private String secretIdFile;
        /** Kubernetes auth: the Vault role to log in as. */
        private String role;
        /** Kubernetes auth: the service-account token file. */
        private String jwtFile;
        /** PEM file of the CA(s) to trust instead of the JDK trust store (default: VAULT_CACERT). */
        private String cacert;
        /** KV version, 1 or 2, when the token may not look up mounts (default: detected). */
        private String kv;

        public String getAddress() {
            return address;
        }

        public void setAddress(String address) {
            this.address = address;
        }

        public String getToken() {
            return token;
        }

        public void setToken(String token) {
            this.token = token;
        }

        public String getNamespace() {
            return namespace;
        }

        public void setNamespace(String namespace) {
            this.namespace = namespace;
        }

        public String getAuth() {
            return auth;
        }

        public void setAuth(String auth) {
            this.auth = auth;
        }

        public String getAuthMount() {
            return authMount;
        }

        public void setAuthMount(String authMount) {
            this.authMount = authMount;
        }

        public String getRoleId() {
            return roleId;
        }

        public void setRoleId(String roleId) {
            this.roleId = roleId;
        }

        public String getRoleIdFile() {
            return roleIdFile;
        }

        public void setRoleIdFile(String roleIdFile) {
            this.roleIdFile = roleIdFile;
        }

        public String getSecretId() {
            return secretId;
        }

        public void setSecretId(String secretId) {
            this.secretId = secretId;
        }

        public String getSecretIdFile() {
            return secretIdFile;
        }

        public void setSecretIdFile(String secretIdFile) {
            this.secretIdFile = secretIdFile;
        }

        public String getRole() {
            return role;
        }

        public void setRole(String role) {
            this.role = role;
        }

        public String getJwtFile() {
            return jwtFile;
        }

        public void setJwtFile(String jwtFile) {
            this.jwtFile = jwtFile;
        }

        public String getCacert() {
            return cacert;
        }

        public void setCacert(String cacert) {
            this.cacert = cacert;
        }

        public String getKv() {
            return kv;
        }

        public void setKv(String kv) {
            this.kv = kv;
        }

        Map<String, String> asSettings() {
            Map<String, String> m = new LinkedHashMap<>();
            put(m, "address", address);
            put(m, "token", token);
            put(m, "namespace", namespace);
            put(m, "auth", auth);
            put(m, "auth-mount", authMount);
            put(m, "role-id", roleId);
            put(m, "role-id-file", roleIdFile);
            put(m, "secret-id", secretId);
            put(m, "secret-id-file", secretIdFile);
            put(m, "role", role);
            put(m, "jwt-file", jwtFile);
            put(m, "cacert", cacert);
            put(m, "kv", kv);
            return m;
        }
    }

    /** AWS Secrets Manager settings; unset ones fall back to the SDK's chains as in docs/aws.md. */
    public static class Aws {
        /** The region to call (default: AWS_REGION, the profile's region, ...). */
        private String region;
        /** A profile of ~/.aws/config (default: AWS_PROFILE, else default). */
        private String profile;
        /** An endpoint URL: LocalStack, a VPC endpoint (default: AWS_ENDPOINT_URL_SECRETS_MANAGER). */
        private String endpoint;

        public String getRegion() {
            return region;
        }

        public void setRegion(String region) {
            this.region = region;
        }

        public String getProfile() {
            return profile;
        }

        public void setProfile(String profile) {
            this.profile = profile;
        }

        public String getEndpoint() {
            return endpoint;
        }

        public void setEndpoint(String endpoint) {
            this.endpoint = endpoint;
        }

        Map<String, String> asSettings() {
            Map<String, String> m = new LinkedHashMap<>();
            put(m, "region", region);
            put(m, "profile", profile);
            put(m, "endpoint", endpoint);
            return m;
        }
    }

    /** The DataSource password. */
    public static class Datasource {
        /**
         * A reference to the database password, e.g. vault:secret/billing/db#password. Set, the Hikari pool
         * asks keysource for the password of each new connection, and on an authentication failure (SQLState
         * class 28) rejects it and retries once with a fresh one.
         */
        private String passwordReference;

        public String getPasswordReference() {
            return passwordReference;
        }

        public void setPasswordReference(String passwordReference) {
            this.passwordReference = passwordReference;
        }
    }

    private static void put(Map<String, String> m, String name, String value) {
        if (value != null && !value.isBlank()) {
            m.put(name, value);
        }
    }

    /** Every backend setting: {@link #getSettings()} with the vault and aws shortcuts on top. */
    public Map<String, Map<String, String>> backendSettings() {
        Map<String, Map<String, String>> all = new LinkedHashMap<>();
        settings.forEach((scheme, values) -> all.put(scheme, new LinkedHashMap<>(values)));
        all.computeIfAbsent("vault", s -> new LinkedHashMap<>()).putAll(vault.asSettings());
        all.computeIfAbsent("aws-sm", s -> new LinkedHashMap<>()).putAll(aws.asSettings());
        all.values().removeIf(Map::isEmpty);
        return all;
    }

    @Override
    public String toString() {
        // settings may hold a token or secret ID: never printed
        return "KeySourceProperties[keys=" + keys.keySet() + ", failFast=" + failFast + "]";
    }
}
