package dev.keysource.it;

import dev.keysource.testkit.Canary;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random JSON for the fuzzers, from a seeded {@link Random}: random values, mutations of a valid
 * document (a node replaced, removed or retyped), random truncation, random bytes. Strings often hold
 * {@link Canary#SECRET}, so a parser message that quotes the input shows up as a leak.
 */
final class RandomJson {

    private static final String[] KEYS = {"data", "metadata", "api_key", "key", "value", "version", "errors",
        "lease_duration", "SecretString", "SecretBinary", "VersionId", "Name", "ARN", "CreatedDate", "__type",
        "message", "Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "Credentials", "kind",
        "status", "token", "expires_at", "expires_in", "expirationTimestamp", "auth", "warnings", "created_time"};

    final Random random;

    RandomJson(long seed) {
        this.random = new Random(seed);
    }

    /** A random value up to {@code depth} levels deep. */
    Object value(int depth) {
        int pick = random.nextInt(depth <= 0 ? 6 : 9);
        switch (pick) {
            case 0: return null;
            case 1: return random.nextBoolean();
            case 2: return number();
            case 3:
            case 4: return string();
            case 5: return random.nextInt(4) == 0 ? Canary.SECRET : string();
            case 6:
            case 7: return object(depth - 1);
            default: return array(depth - 1);
        }
    }

    Map<String, Object> object(int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) {
            m.put(random.nextInt(3) == 0 ? string() : KEYS[random.nextInt(KEYS.length)], value(depth));
        }
        return m;
    }

    List<Object> array(int depth) {
        List<Object> l = new ArrayList<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            l.add(value(depth));
        }
        return l;
    }

    Object number() {
        switch (random.nextInt(6)) {
            case 0: return random.nextInt();
            case 1: return random.nextLong();
            case 2: return random.nextDouble() * 1e12;
            case 3: return new BigDecimal("1e" + (random.nextInt(800) - 400));
            case 4: return -random.nextInt(100);
            default: return 0;
        }
    }

    String string() {
        StringBuilder sb = new StringBuilder();
        int n = random.nextInt(12);
        for (int i = 0; i < n; i++) {
            switch (random.nextInt(8)) {
                case 0: sb.append((char) random.nextInt(0x20)); break;
                case 1: sb.append((char) (0x80 + random.nextInt(0x700))); break;
                case 2: sb.append(Character.toChars(0x1F600 + random.nextInt(50))); break;
                case 3: sb.append("\"\\/"); break;
                case 4: sb.append("2030-01-01T00:00:00Z"); break;
                default: sb.append((char) ('a' + random.nextInt(26)));
            }
        }
        return sb.toString();
    }

    /** A deep copy of {@code doc} with 1 to 3 random mutations. */
    @SuppressWarnings("unchecked")
    Object mutate(Object doc) {
        Object copy = copy(doc);
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            if (!(copy instanceof Map) || ((Map<String, Object>) copy).isEmpty()) {
                return random.nextBoolean() ? copy : value(2);
            }
            mutateIn((Map<String, Object>) copy);
        }
        return copy;
    }

    @SuppressWarnings("unchecked")
    private void mutateIn(Map<String, Object> m) {
        List<String> keys = new ArrayList<>(m.keySet());
        if (keys.isEmpty()) {
            m.put(KEYS[random.nextInt(KEYS.length)], value(2));
            return;
        }
        String k = keys.get(random.nextInt(keys.size()));
        Object v = m.get(k);
        int op = random.nextInt(5);
        if (v instanceof Map && op < 2) {
            mutateIn((Map<String, Object>) v);
        } else if (op == 2) {
            m.remove(k);
        } else if (op == 3) {
            m.put(k, value(2));
        } else {
            m.put(k, random.nextBoolean() ? null : (v instanceof String ? number() : string()));
        }
    }

    @SuppressWarnings("unchecked")
    private static Object copy(Object o) {
        if (o instanceof Map) {
            Map<String, Object> m = new LinkedHashMap<>();
            ((Map<String, Object>) o).forEach((k, v) -> m.put(k, copy(v)));
            return m;
        }
        if (o instanceof List) {
            List<Object> l = new ArrayList<>();
            for (Object x : (List<Object>) o) {
                l.add(copy(x));
            }
            return l;
        }
        return o;
    }

    /** Serializes with random whitespace. */
    String write(Object o) {
        StringBuilder sb = new StringBuilder();
        write(sb, o);
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    private void write(StringBuilder sb, Object o) {
        if (random.nextInt(10) == 0) {
            sb.append(random.nextBoolean() ? " " : "\n\t");
        }
        if (o == null) {
            sb.append("null");
        } else if (o instanceof String) {
            sb.append(quote((String) o));
        } else if (o instanceof BigDecimal) {
            sb.append(((BigDecimal) o).toString());
        } else if (o instanceof Number || o instanceof Boolean) {
            sb.append(o);
        } else if (o instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : ((Map<String, Object>) o).entrySet()) {
                sb.append(first ? "" : ",").append(quote(e.getKey())).append(':');
                write(sb, e.getValue());
                first = false;
            }
            sb.append('}');
        } else {
            sb.append('[');
            boolean first = true;
            for (Object x : (List<Object>) o) {
                sb.append(first ? "" : ",");
                write(sb, x);
                first = false;
            }
            sb.append(']');
        }
    }

    static String quote(String s) {
        return dev.keysource.spi.Json.quote(s);
    }

    /** {@code text} cut at a random point (never whole). */
    String truncate(String text) {
        return text.isEmpty() ? text : text.substring(0, random.nextInt(text.length()));
    }

    /** Random bytes, often with the canary inside. */
    byte[] bytes() {
        byte[] b = new byte[random.nextInt(200)];
        random.nextBytes(b);
        if (b.length > Canary.SECRET.length() && random.nextBoolean()) {
            byte[] c = Canary.SECRET.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(c, 0, b, random.nextInt(b.length - c.length), c.length);
        }
        return b;
    }

    /** One of {@code options}. */
    @SafeVarargs
    final <T> T oneOf(T... options) {
        return options[random.nextInt(options.length)];
    }
}
