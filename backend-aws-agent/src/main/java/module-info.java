/**
 * The {@code aws-sm-agent} scheme: AWS Secrets Manager secrets read through the node-local AWS Secrets
 * Manager Agent or the Parameters and Secrets Lambda Extension, with the JDK's HTTP client.
 */
module dev.keysource.awsagent {
    requires transitive dev.keysource.core;

    exports dev.keysource.awsagent;

    provides dev.keysource.spi.KeySourceProvider with dev.keysource.awsagent.SecretsManagerAgentProvider;
}
