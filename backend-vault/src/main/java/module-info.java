/** The {@code vault} scheme: HashiCorp Vault KV v1/v2 and leased secrets through vault-java-driver. */
module dev.keysource.vault {
    requires transitive dev.keysource.core;
    requires transitive vault.java.driver;
    requires org.slf4j;
    requires java.net.http;

    exports dev.keysource.vault;

    provides dev.keysource.spi.KeySourceProvider with dev.keysource.vault.VaultKeySourceProvider;
}
