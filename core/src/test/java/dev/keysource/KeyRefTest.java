package dev.keysource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyRefTest {

    @Test
    void parse_vaultWithField_splitsParts() {
        KeyRef ref = KeyRef.parse("vault:secret/claude-code#api_key");
        assertThat(ref.scheme()).isEqualTo("vault");
        assertThat(ref.location()).isEqualTo("secret/claude-code");
        assertThat(ref.field()).contains("api_key");
        assertThat(ref.options()).isEmpty();
        assertThat(ref.toString()).isEqualTo("vault:secret/claude-code#api_key");
    }

    @Test
    void parse_optionsThenField_keepsOrder() {
        KeyRef ref = KeyRef.parse("aws-sm:prod/claude?region=eu-west-1&stage=AWSCURRENT#api_key");
        assertThat(ref.options()).containsExactly(Map.entry("region", "eu-west-1"), Map.entry("stage", "AWSCURRENT"));
        assertThat(ref.field()).contains("api_key");
    }

    @Test
    void parse_fieldBeforeOptions_isAcceptedAndCanonicalizedToUriOrder() {
        KeyRef ref = KeyRef.parse("vault:secret/app#api_key?version=2");
        assertThat(ref.field()).contains("api_key");
        assertThat(ref.option("version")).contains("2");
        assertThat(ref.toString()).isEqualTo("vault:secret/app?version=2#api_key");
        assertThat(KeyRef.parse(ref.toString())).isEqualTo(ref);
    }

    @Test
    void parse_percentEscapes_decodeAndRoundTrip() {
        KeyRef ref = KeyRef.parse("vault:secret/a%3Fb%23c%25d?x%26y=1%3D2#f%23g");
        assertThat(ref.location()).isEqualTo("secret/a?b#c%d");
        assertThat(ref.options()).containsEntry("x&y", "1=2");
        assertThat(ref.field()).contains("f#g");
        assertThat(KeyRef.parse(ref.toString())).isEqualTo(ref);
        assertThat(ref.toString()).isEqualTo("vault:secret/a%3Fb%23c%25d?x%26y=1=2#f%23g");
    }

    @Test
    void of_partsWithReservedCharacters_roundTripThroughString() {
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("a?b", "c#d&e");
        KeyRef ref = KeyRef.of("vault", "p%q?r", opts, "f?");
        KeyRef back = KeyRef.parse(ref.toString());
        assertThat(back.location()).isEqualTo("p%q?r");
        assertThat(back.options()).containsExactly(Map.entry("a?b", "c#d&e"));
        assertThat(back.field()).contains("f?");
    }

    @Test
    void parseOpaque_scriptCommandLine_keptVerbatim() {
        KeyRef ref = KeyRef.parseOpaque("script:~/bin/get-key.sh --env prod?x=1#y");
        assertThat(ref.location()).isEqualTo("~/bin/get-key.sh --env prod?x=1#y");
        assertThat(ref.opaque()).isTrue();
        assertThat(ref.options()).isEmpty();
        assertThat(ref.field()).isEmpty();
        assertThat(ref.toString()).isEqualTo("script:~/bin/get-key.sh --env prod?x=1#y");
    }

    @Test
    void parse_supplementaryCharactersNextToAnEscape_areKept() {
        KeyRef ref = KeyRef.parse("vault:secret/caf\u00e9-\uD83D\uDE00%41?o\uD83D\uDE00=%25\uD83D\uDE01#f\uD83D\uDE02%23");
        assertThat(ref.location()).isEqualTo("secret/caf\u00e9-\uD83D\uDE00A");
        assertThat(ref.options()).containsExactly(Map.entry("o\uD83D\uDE00", "%\uD83D\uDE01"));
        assertThat(ref.field()).contains("f\uD83D\uDE02#");
        assertThat(KeyRef.parse("vault:a%F0%9F%98%80b").location()).isEqualTo("a\uD83D\uDE00b");
    }

    @Test
    void parse_upperCaseScheme_isLowerCased() {
        assertThat(KeyRef.parse("VAULT:secret/x").scheme()).isEqualTo("vault");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "secret/app|invalid reference 'secret/app': it has no scheme; write scheme:location, e.g. vault:secret/app#api_key, aws-sm:prod/app#api_key or script:~/bin/get-key.sh",
        ":secret/app|invalid reference ':secret/app': the scheme before ':' is empty; write scheme:location, e.g. vault:secret/app#api_key",
        "vault:|invalid reference 'vault:': the location after 'vault:' is empty",
        "vault:secret/a%zz|invalid reference 'vault:secret/a%zz': the escape '%zz' at position 14 is not two hex digits; write a literal '%' as %25",
        "vault:secret/a%2|invalid reference 'vault:secret/a%2': a '%' at position 14 is not followed by two hex digits; write a literal '%' as %25",
        "vault:a?x=1&x=2|invalid reference 'vault:a?x=1&x=2': the option 'x' is given twice; give each option once",
        "vault:a?x|invalid reference 'vault:a?x': the option 'x' has no value; write x=value",
        "vault:a?=1|invalid reference 'vault:a?=1': an option has no name at position 8; write ?name=value&name2=value2",
        "vault:a#f1#f2|invalid reference 'vault:a#f1#f2': it has two '#field' parts; a reference names one field",
        "vault:a#|invalid reference 'vault:a#': the field after '#' is empty",
        "vault:a?|invalid reference 'vault:a?': there is a '?' with no options after it",
        "vault:a#x?v=1#y|invalid reference 'vault:a#x?v=1#y': it has two '#field' parts; a reference names one field",
        "1vault:a|invalid reference '1vault:a': the scheme '1vault' is not valid; a scheme is a letter followed by letters, digits, '+', '-' or '.'",
        "vault:secret/a%FF|invalid reference 'vault:secret/a%FF': the escape '%FF' at position 14 is not UTF-8; percent-encode the UTF-8 bytes of a character (é is %C3%A9), or write the character itself",
        "vault:a?x=%C3%28|invalid reference 'vault:a?x=%C3%28': the escape '%C3%28' at position 10 is not UTF-8; percent-encode the UTF-8 bytes of a character (é is %C3%A9), or write the character itself",
        "vault:a#%F0%9F%98|invalid reference 'vault:a#%F0%9F%98': the escape '%F0%9F%98' at position 8 is not UTF-8; percent-encode the UTF-8 bytes of a character (é is %C3%A9), or write the character itself",
    })
    void parse_badInput_throwsWithExactMessage(String text, String message) {
        assertThatThrownBy(() -> KeyRef.parse(text))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessage(message);
    }

    @Test
    void parseOpaque_emptyCommand_throws() {
        assertThatThrownBy(() -> KeyRef.parseOpaque("script:  "))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessage("invalid reference 'script:  ': the location after 'script:' is empty");
    }

    @Test
    void equals_sameCanonicalForm_equalAndSameHash() {
        KeyRef a = KeyRef.parse("vault:x#f?v=1");
        KeyRef b = KeyRef.parse("vault:x?v=1#f");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(KeyRef.parse("vault:x?v=2#f"));
    }
}
