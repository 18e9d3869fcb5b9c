package dev.keysource;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.internal.Jwt;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Randomized tests with a fixed, printed seed (set -Dkeysource.fuzz.seed=N to replay, and
 * -Dkeysource.fuzz.cases=N for a longer run). Only documented exception types may escape.
 */
class KeyRefFuzzTest {

    private static final long SEED = Long.getLong("keysource.fuzz.seed", 20261126L);
    private static final int CASES = Integer.getInteger("keysource.fuzz.cases", 20_000);
    private static final String ALPHABET = "ab/:?#&=%_-.~ 0123456789ABCDEFéz\t\n";

    private static String random(Random r, String alphabet, int max) {
        int n = r.nextInt(max + 1);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    @Test
    void parse_randomText_eitherParsesAndRoundTripsOrThrowsInvalidReference() {
        System.out.println("KeyRefFuzzTest seed=" + SEED + " cases=" + CASES);
        Random r = new Random(SEED);
        int parsed = 0;
        for (int i = 0; i < CASES; i++) {
            String text = (r.nextBoolean() ? "vault:" : "") + random(r, ALPHABET, 40);
            KeyRef ref;
            try {
                ref = KeyRef.parse(text);
            } catch (InvalidReferenceException e) {
                assertThat(e.getMessage()).as("case %d: %s", i, text).startsWith("invalid reference '");
                continue;
            }
            parsed++;
            KeyRef again = KeyRef.parse(ref.toString());
            assertThat(again).as("case %d: %s", i, text).isEqualTo(ref);
            assertThat(again.location()).isEqualTo(ref.location());
            assertThat(again.options()).isEqualTo(ref.options());
            assertThat(again.field()).isEqualTo(ref.field());
        }
        assertThat(parsed).as("the generator must also produce valid references").isGreaterThan(CASES / 20);
    }

    @Test
    void of_randomParts_formatThenParseGivesTheSameParts() {
        Random r = new Random(SEED + 1);
        for (int i = 0; i < CASES; i++) {
            String location = "x" + random(r, ALPHABET, 20);
            Map<String, String> options = new LinkedHashMap<>();
            int n = r.nextInt(3);
            for (int k = 0; k < n; k++) {
                options.put("o" + k + random(r, ALPHABET, 5), random(r, ALPHABET, 8));
            }
            String field = r.nextBoolean() ? null : "f" + random(r, ALPHABET, 6);
            KeyRef ref = KeyRef.of("vault", location, options, field);
            KeyRef back = KeyRef.parse(ref.toString());
            assertThat(back.location()).as("case %d", i).isEqualTo(location);
            assertThat(back.options()).as("case %d", i).isEqualTo(options);
            assertThat(back.field().orElse(null)).as("case %d", i).isEqualTo(field);
        }
    }

    @Test
    void jwtExpiry_randomInput_neverThrows() {
        Random r = new Random(SEED + 2);
        String alphabet = "eyJhbGciOiJIUzI1NiJ9.-_=+/ABCxyz0123456789{}\":,";
        for (int i = 0; i < CASES; i++) {
            String s = "ey" + random(r, alphabet, 80);
            Jwt.expiry(s); // must not throw, whatever the input
        }
    }
}
