import dev.keysource.aws.FakeSecretsManager;
import dev.keysource.vault.FakeVault;
import java.time.Duration;
import java.util.Map;

/**
 * Starts the loopback fakes of Vault and Secrets Manager (from the backends' test jars) for the
 * start-up benchmark, prints the environment a `keysource get` needs for each, and runs until killed.
 */
public final class FakeServers {
    public static void main(String[] args) throws Exception {
        FakeVault vault = FakeVault.start();
        vault.mountKv2("secret/").putKv("secret/claude-code", Map.of("api_key", "sk-vault-benchmark"));
        String token = vault.createToken(Duration.ofHours(1), true);
        FakeSecretsManager sm = FakeSecretsManager.start();
        sm.putSecretString("prod/claude", "{\"api_key\":\"sk-aws-benchmark\"}");
        System.out.println("VAULT_ADDR=" + vault.address());
        System.out.println("VAULT_TOKEN=" + token);
        System.out.println("AWS_ENDPOINT_URL_SECRETS_MANAGER=" + sm.endpoint());
        System.out.println("AWS_REGION=" + sm.region());
        System.out.flush();
        Thread.currentThread().join();
    }
}
