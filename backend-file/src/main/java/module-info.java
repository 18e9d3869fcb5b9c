/**
 * The {@code file} scheme: a secret read from a file that another program keeps up to date (Vault Agent,
 * the Secrets Store CSI driver, a Kubernetes Secret volume), with rotation noticed by watching its directory.
 */
module dev.keysource.file {
    requires transitive dev.keysource.core;
    requires org.slf4j;

    exports dev.keysource.file;

    provides dev.keysource.spi.KeySourceProvider with dev.keysource.file.FileKeySourceProvider;
}
