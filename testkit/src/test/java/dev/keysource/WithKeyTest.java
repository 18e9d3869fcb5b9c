package dev.keysource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.keysource.testkit.FakeKeySource;
import dev.keysource.testkit.FakeTime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Issue 11 item 6: withKey takes calls that throw checked exceptions; the HttpClient adapter. */
class WithKeyTest {

    private final FakeTime time = new FakeTime();

    private CachedKey key(FakeKeySource src) {
        return CachedKey.builder(src).ticker(time.ticker()).clock(time.clock()).scheduler(time.scheduler())
                .executor(Runnable::run).environment(Map.of()).systemProperties(Map.of()).build();
    }

    /** Declares what the README's snippet declares: the checked exception of the call. */
    private static int call(CachedKey key, List<String> seen) throws IOException {
        return key.withKey(k -> {
            seen.add(k);
            if (k.equals("broken")) {
                throw new IOException("connection reset");
            }
            return k.equals("old") ? 401 : 200;
        }, status -> status == 401);
    }

    @Test
    void withKey_callThrowingCheckedException_compilesAndRetriesOnRejection() throws IOException {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("old", "new");
        List<String> seen = new CopyOnWriteArrayList<>();
        assertThat(call(key(src), seen)).isEqualTo(200);
        assertThat(seen).containsExactly("old", "new");
    }

    @Test
    void withKey_checkedExceptionOfTheCall_propagatesAsIs() {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("broken");
        assertThatThrownBy(() -> call(key(src), new CopyOnWriteArrayList<>())).isInstanceOf(IOException.class)
                .hasMessage("connection reset");
    }

    @Test
    void send_401WithOldKey_rejectsAndSendsOnceMoreWithTheFreshKey() throws Exception {
        List<String> auth = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/models", ex -> {
            String a = ex.getRequestHeaders().getFirst("Authorization");
            auth.add(a);
            byte[] body = (a.equals("Bearer new") ? "ok" : "denied").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(a.equals("Bearer new") ? 200 : 401, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("old", "new");
            CachedKey key = key(src);
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/models");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> r = key.send(http, k -> HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer " + k).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("ok");
            assertThat(auth).containsExactly("Bearer old", "Bearer new");
            assertThat(key.stats().rejections()).isEqualTo(1);
        } finally {
            server.stop(0);
        }
    }
}
