package dev.keysource.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.spi.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The starter ships the metadata Boot's configuration processor generates from {@link KeySourceProperties}: IDEs
 * complete and document {@code keysource.*} from it. It is generated at compile time, so a build change that drops
 * the processor (the compile's processor path is also Error Prone's) loses it without any other test failing.
 */
class ConfigurationMetadataTest {

    @Test
    void generatedMetadata_listsThePropertiesWithTheirDescriptions() throws IOException {
        Map<String, Object> metadata;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("META-INF/spring-configuration-metadata.json on the class path").isNotNull();
            @SuppressWarnings("unchecked")
            Map<String, Object> parsed = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            metadata = parsed;
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> properties = (List<Map<String, Object>>) metadata.get("properties");
        assertThat(properties).extracting(p -> p.get("name"))
                .contains("keysource.ttl", "keysource.timeout", "keysource.vault.address", "keysource.aws.region",
                        "keysource.datasource.password-reference");
        assertThat(properties).filteredOn(p -> "keysource.ttl".equals(p.get("name")))
                .singleElement()
                .satisfies(p -> assertThat((String) p.get("description")).isNotBlank());
    }
}
