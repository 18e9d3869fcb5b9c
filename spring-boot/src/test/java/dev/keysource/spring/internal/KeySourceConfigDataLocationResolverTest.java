package dev.keysource.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keysource.spring.KeySourceStartupException;
import org.junit.jupiter.api.Test;

/** Parsing of {@code spring.config.import=keysource:...} locations. */
class KeySourceConfigDataLocationResolverTest {

    @Test
    void parse_importOptions_areRemovedFromTheReference() {
        KeySourceConfigDataResource r = KeySourceConfigDataLocationResolver.parse(
                "vault:secret/app?prefix=db.&kv=2&fields=user|password", false);
        assertThat(r.reference).isEqualTo("vault:secret/app?kv=2");
        assertThat(r.prefix).isEqualTo("db.");
        assertThat(r.fields).containsExactly("user", "password");
        assertThat(r.property).isNull();
    }

    @Test
    void parse_fieldAndFields_isRefusedNamingBoth() {
        KeySourceStartupException e = catchThrowableOfType(KeySourceStartupException.class,
                () -> KeySourceConfigDataLocationResolver.parse("vault:secret/app#password?fields=user", true));
        assertThat(e).hasMessage("spring.config.import=optional:keysource:vault:secret/app#password?fields=user has "
                + "both a #field and ?fields=; use one of them");
        assertThat(e.property()).isEqualTo("spring.config.import");
    }

    @Test
    void parse_empty_isRefusedWithAnExample() {
        KeySourceStartupException e = catchThrowableOfType(KeySourceStartupException.class,
                () -> KeySourceConfigDataLocationResolver.parse(" ", false));
        assertThat(e).hasMessageStartingWith("spring.config.import=keysource:  names no reference; write "
                + "keysource:vault:secret/app#password");
    }

    @Test
    void parse_scriptReference_isOpaque() {
        KeySourceConfigDataResource r = KeySourceConfigDataLocationResolver.parse("script:get-key.sh?prefix=x", false);
        assertThat(r.reference).isEqualTo("script:get-key.sh?prefix=x");
        assertThat(r.prefix).isEmpty();
    }
}
