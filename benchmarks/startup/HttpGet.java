import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * One GET to the agent fake and exit, with HttpURLConnection or java.net.http.HttpClient: which JDK client
 * starts faster, measured by agent.sh (the aws-sm-agent source uses the faster one).
 */
public final class HttpGet {
    public static void main(String[] args) throws Exception {
        String url = "http://127.0.0.1:" + System.getenv("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT")
                + "/secretsmanager/get?secretId=prod%2Fclaude";
        String token = System.getenv("AWS_TOKEN");
        if (args[0].equals("urlconnection")) {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection(Proxy.NO_PROXY);
            c.setRequestProperty("X-Aws-Parameters-Secrets-Token", token);
            System.out.println(c.getResponseCode() + " " + c.getInputStream().readAllBytes().length);
        } else {
            HttpClient client = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(url))
                    .header("X-Aws-Parameters-Secrets-Token", token).build(), HttpResponse.BodyHandlers.ofByteArray());
            System.out.println(r.statusCode() + " " + r.body().length);
        }
    }
}
