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
    /** Code points, not chars: supplementary characters (emoji, CJK extension B) next to escapes too. */
    private static final int[] ALPHABET = ("ab/:?#&=%_-.~ 0123456789ABCDEF\u00e9z\t\n"
            + "\uD83D\uDE00\uD840\uDC00\uD83C\uDF89").codePoints().toArray();
    /** Escapes the parse generator also emits: valid UTF-8 (one to four bytes) and invalid sequences. */
    private static final String[] ESCAPES = {"%41", "%C3%A9", "%E2%82%AC", "%F0%9F%98%80", "%FF", "%C3", "%80",
        "%F0%9F", "%ED%A0%80"};

    private static String random(Random r, int[] alphabet, int max) {
        int n = r.nextInt(max + 1);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.appendCodePoint(alphabet[r.nextInt(alphabet.length)]);
        }
        return sb.toString();
    }

    private static String randomWithEscapes(Random r, int max) {
        int n = r.nextInt(max + 1);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            if (r.nextInt(8) == 0) {
                sb.append(ESCAPES[r.nextInt(ESCAPES.length)]);
            } else {
                sb.appendCodePoint(ALPHABET[r.nextInt(ALPHABET.length)]);
            }
        }
        return sb.toString();
    }

    /** A decoded part never holds a replacement character or a lone surrogate: the generator emits neither. */
    private static void assertWellFormed(String s, int i, String text) {
        assertThat(s).as("case %d: %s", i, text).doesNotContain("\uFFFD");
        assertThat(s.codePoints().filter(cp -> cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE).count()).as("case %d: %s", i, text).isZero();
    }

    @Test
    void parse_randomText_eitherParsesAndRoundTripsOrThrowsInvalidReference() {
        System.out.println("KeyRefFuzzTest seed=" + SEED + " cases=" + CASES);
        Random r = new Random(SEED);
        int parsed = 0;
        int refusedEscapes = 0;
        for (int i = 0; i < CASES; i++) {
            String text = (r.nextBoolean() ? "vault:" : "") + randomWithEscapes(r, 40);
            KeyRef ref;
            try {
                ref = KeyRef.parse(text);
            } catch (InvalidReferenceException e) {
                assertThat(e.getMessage()).as("case %d: %s", i, text).startsWith("invalid reference '");
                if (e.getMessage().contains("is not UTF-8")) {
                    refusedEscapes++;
                }
                continue;
            }
            parsed++;
            assertWellFormed(ref.location(), i, text);
            ref.options().forEach((k, v) -> {
                assertWellFormed(k, -1, text);
                assertWellFormed(v, -1, text);
            });
            ref.field().ifPresent(f -> assertWellFormed(f, -1, text));
            KeyRef again = KeyRef.parse(ref.toString());
            assertThat(again).as("case %d: %s", i, text).isEqualTo(ref);
            assertThat(again.location()).isEqualTo(ref.location());
            assertThat(again.options()).isEqualTo(ref.options());
            assertThat(again.field()).isEqualTo(ref.field());
        }
        assertThat(parsed).as("the generator must also produce valid references").isGreaterThan(CASES / 20);
        assertThat(refusedEscapes).as("and invalid UTF-8 escapes").isGreaterThan(CASES / 100);
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
        int[] alphabet = "eyJhbGciOiJIUzI1NiJ9.-_=+/ABCxyz0123456789{}\":,".codePoints().toArray();
        for (int i = 0; i < CASES; i++) {
            String s = "ey" + random(r, alphabet, 80);
            Jwt.expiry(s); // must not throw, whatever the input
        }
    }
}
