package dev.keysource.script.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Just enough of POSIX shell word syntax for the script backend: splitting a command line into words
 * for the {@code argv} form, finding the helper file a shell command line starts with, and expanding a
 * leading {@code ~}. Nothing here runs a shell or expands variables.
 */
public final class CommandLine {

    private static final String OPERATORS = ";&|<>()\n";
    private static final String UNRESOLVABLE = "$`*?[{";

    private CommandLine() {
    }

    /**
     * Splits a command line into words: whitespace separates words, single quotes keep everything
     * literally, double quotes keep everything but {@code \"}, {@code \\}, {@code \$} and {@code \`}
     * escapes, a backslash outside quotes escapes the next character. A word {@code ~} or starting with
     * {@code ~/} (unquoted) gets {@code home} in place of the {@code ~}.
     *
     * @throws IllegalArgumentException for an unterminated quote or a trailing backslash, with the position
     */
    public static List<String> split(String line, String home) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                i++;
                continue;
            }
            if (word == null) {
                word = new StringBuilder();
                if (c == '~' && (i + 1 == n || line.charAt(i + 1) == '/' || Character.isWhitespace(line.charAt(i + 1)))) {
                    word.append(home);
                    i++;
                    continue;
                }
            }
            i = appendUnit(line, i, word);
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    /**
     * The first word of a shell command line, unquoted and with a leading {@code ~} expanded, if it can be
     * known without running the shell (no variables, globs or command substitution, not an assignment).
     */
    public static Optional<String> firstWord(String line, String home) {
        int i = 0;
        int n = line.length();
        while (i < n && Character.isWhitespace(line.charAt(i))) {
            i++;
        }
        StringBuilder word = new StringBuilder();
        if (i < n && line.charAt(i) == '~' && (i + 1 == n || line.charAt(i + 1) == '/')) {
            word.append(home);
            i++;
        }
        try {
            while (i < n) {
                char c = line.charAt(i);
                if (Character.isWhitespace(c) || OPERATORS.indexOf(c) >= 0) {
                    break;
                }
                if (UNRESOLVABLE.indexOf(c) >= 0 || c == '=') {
                    return Optional.empty();
                }
                i = appendUnit(line, i, word);
            }
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return word.length() == 0 ? Optional.empty() : Optional.of(word.toString());
    }

    /**
     * The command line with a leading {@code ~} (alone or before {@code /}) replaced by {@code home},
     * single-quoted for the shell, so it works even when the child's {@code HOME} is unset.
     */
    public static String expandLeadingTilde(String line, String home) {
        int i = 0;
        while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
            i++;
        }
        if (i < line.length() && line.charAt(i) == '~'
                && (i + 1 == line.length() || line.charAt(i + 1) == '/' || Character.isWhitespace(line.charAt(i + 1)))) {
            return line.substring(0, i) + shellQuote(home) + line.substring(i + 1);
        }
        return line;
    }

    /** {@code s} in single quotes, for {@code /bin/sh}. */
    public static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Appends one unit (a quoted run, an escape, or one plain character) at {@code i}; returns the next index. */
    private static int appendUnit(String line, int i, StringBuilder word) {
        int n = line.length();
        char c = line.charAt(i);
        if (c == '\'') {
            int end = line.indexOf('\'', i + 1);
            if (end < 0) {
                throw new IllegalArgumentException("the single quote at position " + (i + 1) + " is not closed");
            }
            word.append(line, i + 1, end);
            return end + 1;
        }
        if (c == '"') {
            int j = i + 1;
            while (j < n && line.charAt(j) != '"') {
                char d = line.charAt(j);
                if (d == '\\' && j + 1 < n && "\"\\$`".indexOf(line.charAt(j + 1)) >= 0) {
                    word.append(line.charAt(j + 1));
                    j += 2;
                } else {
                    word.append(d);
                    j++;
                }
            }
            if (j >= n) {
                throw new IllegalArgumentException("the double quote at position " + (i + 1) + " is not closed");
            }
            return j + 1;
        }
        if (c == '\\') {
            if (i + 1 >= n) {
                throw new IllegalArgumentException("the command line ends with a backslash");
            }
            word.append(line.charAt(i + 1));
            return i + 2;
        }
        word.append(c);
        return i + 1;
    }
}
