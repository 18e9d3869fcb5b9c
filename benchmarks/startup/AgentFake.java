import dev.keysource.awsagent.FakeSecretsManagerAgent;

/**
 * Starts the loopback fake of the AWS Secrets Manager Agent (from keysource-aws-agent's test jar) for
 * agent.sh, prints the environment `keysource get aws-sm-agent:...` needs, and runs until killed.
 */
public final class AgentFake {
    public static void main(String[] args) throws Exception {
        FakeSecretsManagerAgent agent = FakeSecretsManagerAgent.start("benchmark-ssrf-token");
        agent.putSecretString("prod/claude", "{\"api_key\":\"sk-agent-benchmark\"}");
        System.out.println("AWS_TOKEN=benchmark-ssrf-token");
        System.out.println("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT=" + agent.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
