package dev.keysource.cli.internal;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The launcher's class-data-sharing training run: one JVM goes through {@code get} for each bundled
 * backend so the archive holds the classes of all three paths, not only the script one. The Vault and
 * AWS runs point at a closed loopback port (127.0.0.1:1) and fail at once; nothing leaves the machine.
 * Prints the script run's key on stdout, which the launcher checks. With arguments, only the named
 * schemes ({@code script}, {@code vault}, {@code aws-sm}): the launcher trains one AOT cache per scheme,
 * since an AOT cache loads every class it holds at start-up (the script path would load the AWS SDK).
 */
public final class CdsTraining {

    private CdsTraining() {
    }

    public static void main(String[] args) throws IOException {
        java.util.List<String> only = java.util.List.of(args);
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
        System.setProperty("slf4j.provider", "org.slf4j.simple.SimpleServiceProvider");
        System.setProperty("slf4j.internal.verbosity", "WARN");
        OutputStream sink = OutputStream.nullOutputStream();
        Map<String, String> base = new HashMap<>(System.getenv());
        base.put("KEYSOURCE_ATTEMPTS", "1");
        base.put("KEYSOURCE_TIMEOUT_MS", "3000");

        Map<String, String> vault = new HashMap<>(base);
        vault.put("VAULT_ADDR", "http://127.0.0.1:1");
        vault.put("VAULT_TOKEN", "cds-training");
        vault.remove("VAULT_NAMESPACE");
        if (only.isEmpty() || only.contains("vault")) {
            new Cli(vault, sink, sink).run(new String[] {"get", "vault:secret/cds-training#key"});
        }

        Map<String, String> aws = new HashMap<>(base);
        aws.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:1");
        aws.put("AWS_REGION", "us-east-1");
        aws.put("AWS_ACCESS_KEY_ID", "AKIDCDSTRAINING");
        aws.put("AWS_SECRET_ACCESS_KEY", "cds-training");
        aws.remove("AWS_PROFILE");
        aws.put("AWS_EC2_METADATA_DISABLED", "true");
        if (only.isEmpty() || only.contains("aws-sm")) {
            new Cli(aws, sink, sink).run(new String[] {"get", "aws-sm:cds-training#key"});
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (only.isEmpty() || only.contains("script")) {
            new Cli(base, out, sink).run(new String[] {"get", "script:echo keysource-cds-training"});
        } else {
            out.write("keysource-cds-training\n".getBytes(StandardCharsets.UTF_8));
        }
        try (FileOutputStream stdout = new FileOutputStream(FileDescriptor.out)) {
            stdout.write(out.toString(StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
        }
    }
}
