/** The {@code aws-sm} scheme: AWS Secrets Manager through the AWS SDK for Java v2. */
module dev.keysource.aws {
    requires transitive dev.keysource.core;
    requires transitive software.amazon.awssdk.services.secretsmanager;
    requires software.amazon.awssdk.auth;
    requires software.amazon.awssdk.awscore;
    requires software.amazon.awssdk.core;
    requires software.amazon.awssdk.http;
    requires software.amazon.awssdk.identity.spi; // which credentials provider supplied credentials, for check
    requires software.amazon.awssdk.http.urlconnection;
    requires software.amazon.awssdk.profiles;
    requires software.amazon.awssdk.regions;
    requires software.amazon.awssdk.utils;
    requires org.slf4j;

    exports dev.keysource.aws;

    provides dev.keysource.spi.KeySourceProvider with dev.keysource.aws.SecretsManagerKeySourceProvider;
}
