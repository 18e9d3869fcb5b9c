/** The {@code script} scheme: runs a helper command and reads the secret from its stdout. */
module dev.keysource.script {
    requires transitive dev.keysource.core;
    requires org.slf4j;

    exports dev.keysource.script;

    provides dev.keysource.spi.KeySourceProvider with dev.keysource.script.ScriptProvider;
}
