package dev.keysource.script.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Just enough of POSIX shell word syntax for the script backend: splitting a command line into words
 * for the {@code argv} form, finding the programs and scripts a shell command line runs (to check them
 * before it runs), and expanding a leading {@code ~}. Nothing here runs a shell.
 */
public final class CommandLine {


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

    // ---------------------------------------------------------------------------------------------
    // What a shell command line runs

    /** Words that start a command without being its program. */
    private static final Set<String> PREFIXES = Set.of("exec", "command", "builtin", "then", "do", "else", "elif",
            "if", "while", "until", "!", "time");
    /** Programs that run the rest of their arguments as a command. */
    private static final Set<String> WRAPPERS = Set.of("env", "nohup", "nice", "stdbuf", "timeout", "setsid");
    private static final Pattern SHELL = Pattern.compile("(sh|bash|dash|zsh|ksh|mksh|ash|yash)");
    private static final Pattern INTERPRETER = Pattern.compile(
            "(python[0-9.]*|node|nodejs|ruby[0-9.]*|perl[0-9.]*|php[0-9.]*|pwsh|lua[0-9.]*|tclsh[0-9.]*|deno|bun)");
    private static final Pattern ASSIGNMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*", Pattern.DOTALL);

    /** One word of a command line as the shell will see it, or why it cannot be known before it runs. */
    private static final class Word {
        final String text;
        final String raw;
        final String unknown;

        Word(String text, String raw, String unknown) {
            this.text = text;
            this.raw = raw;
            this.unknown = unknown;
        }
    }

    /**
     * The programs and scripts a {@code /bin/sh -c} command line runs, in order, as the shell will find them:
     * the program of every simple command (after {@code ;}, {@code &&}, {@code ||}, {@code |}, {@code &},
     * inside {@code ( )} and {@code { }}), past leading assignments ({@code FOO=1}) and {@code exec}; the
     * command of {@code env}, {@code nohup} and similar wrappers; the script argument of a shell or
     * interpreter ({@code sh get.sh}, {@code python3 get.py}), and the command string of {@code sh -c}.
     * {@code ~}, {@code $HOME} and every {@code $NAME} or {@code ${NAME}} set in {@code env} are expanded.
     * Arguments other than these are not looked at.
     *
     * @throws IllegalArgumentException when one of these words cannot be known before the shell runs (a
     *         pattern, a command substitution, a variable that is not set or a parameter expansion), saying which
     */
    public static List<String> programs(String line, Map<String, String> env, String home) {
        List<String> out = new ArrayList<>();
        programs(line, env, home, out, 0);
        return out;
    }

    private static void programs(String line, Map<String, String> env, String home, List<String> out, int depth) {
        for (List<Word> cmd : commands(line, env, home)) {
            int i = 0;
            while (i < cmd.size()) {
                Word w = cmd.get(i);
                if (ASSIGNMENT.matcher(w.raw).matches() || PREFIXES.contains(w.raw)) {
                    i++;
                    continue;
                }
                String program = known(w, "program");
                out.add(program);
                String base = program.substring(program.lastIndexOf('/') + 1);
                i++;
                if (WRAPPERS.contains(base)) {
                    // its options (and their values, for the few that take one) and assignments, then the command
                    while (i < cmd.size() && (cmd.get(i).raw.startsWith("-") || ASSIGNMENT.matcher(cmd.get(i).raw).matches())) {
                        String opt = cmd.get(i).raw;
                        i += (opt.equals("-u") || opt.equals("-n") || opt.equals("-s") || opt.equals("-k")) ? 2 : 1;
                    }
                    if (base.equals("timeout") && i < cmd.size()) {
                        i++; // the duration
                    }
                    continue;
                }
                boolean shell = SHELL.matcher(base).matches();
                if (shell || INTERPRETER.matcher(base).matches()) {
                    for (; i < cmd.size(); i++) {
                        String a = cmd.get(i).raw;
                        if (shell && a.equals("-c")) {
                            if (i + 1 < cmd.size() && depth < 4) {
                                programs(known(cmd.get(i + 1), "command string"), env, home, out, depth + 1);
                            }
                            break;
                        }
                        if (!shell && (a.equals("-c") || a.equals("-e") || a.equals("-m") || a.equals("-"))) {
                            break; // inline code or a module: no file to check
                        }
                        if (a.startsWith("-") || a.startsWith("+")) {
                            continue;
                        }
                        out.add(known(cmd.get(i), "script"));
                        break;
                    }
                }
                break; // the rest are arguments
            }
        }
    }

    private static String known(Word w, String what) {
        if (w.unknown != null) {
            throw new IllegalArgumentException("the " + what + " '" + w.raw + "' " + w.unknown);
        }
        return w.text;
    }

    /** Splits a command line into simple commands of words, expanding what can be expanded. */
    private static List<List<Word>> commands(String line, Map<String, String> env, String home) {
        List<List<Word>> commands = new ArrayList<>();
        List<Word> cmd = new ArrayList<>();
        int n = line.length();
        int i = 0;
        boolean redirectTarget = false;
        while (i < n) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t') {
                i++;
                continue;
            }
            if (c == '#') {
                while (i < n && line.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (";&|()\n".indexOf(c) >= 0) {
                if (!cmd.isEmpty()) {
                    commands.add(cmd);
                    cmd = new ArrayList<>();
                }
                i++;
                continue;
            }
            if (c == '<' || c == '>') {
                while (i < n && "<>&|".indexOf(line.charAt(i)) >= 0) {
                    i++;
                }
                redirectTarget = true;
                continue;
            }
            // one word
            int start = i;
            StringBuilder text = new StringBuilder();
            String unknown = null;
            if (c == '~' && (i + 1 == n || line.charAt(i + 1) == '/' || " \t;&|()<>\n".indexOf(line.charAt(i + 1)) >= 0)) {
                text.append(home);
                i++;
            }
            while (i < n) {
                char d = line.charAt(i);
                if (" \t;&|()<>\n".indexOf(d) >= 0) {
                    break;
                }
                if (d == '\'') {
                    int end = line.indexOf('\'', i + 1);
                    if (end < 0) {
                        throw new IllegalArgumentException("the single quote at position " + (i + 1) + " is not closed");
                    }
                    text.append(line, i + 1, end);
                    i = end + 1;
                } else if (d == '"') {
                    int j = i + 1;
                    while (j < n && line.charAt(j) != '"') {
                        char e = line.charAt(j);
                        if (e == '\\' && j + 1 < n && "\"\\$`".indexOf(line.charAt(j + 1)) >= 0) {
                            text.append(line.charAt(j + 1));
                            j += 2;
                        } else if (e == '$' || e == '`') {
                            int[] at = {j};
                            String why = expand(line, at, env, text);
                            unknown = unknown != null ? unknown : why;
                            j = at[0];
                        } else {
                            text.append(e);
                            j++;
                        }
                    }
                    if (j >= n) {
                        throw new IllegalArgumentException("the double quote at position " + (i + 1) + " is not closed");
                    }
                    i = j + 1;
                } else if (d == '\\') {
                    if (i + 1 < n) {
                        text.append(line.charAt(i + 1));
                    }
                    i += 2;
                } else if (d == '$' || d == '`') {
                    int[] at = {i};
                    String why = expand(line, at, env, text);
                    unknown = unknown != null ? unknown : why;
                    i = at[0];
                } else {
                    if ("*?[".indexOf(d) >= 0 && unknown == null) {
                        unknown = "is a pattern (*, ? or [), which the shell expands";
                    }
                    text.append(d);
                    i++;
                }
            }
            String raw = line.substring(start, Math.min(i, n));
            if (redirectTarget) {
                redirectTarget = false; // a file name after < or >, not a word of the command
            } else if (cmd.isEmpty() && (raw.equals("{") || raw.equals("}"))) {
                // a group: its commands follow
            } else if (raw.equals("}") || raw.equals("{")) {
                commands.add(cmd);
                cmd = new ArrayList<>();
            } else {
                cmd.add(new Word(text.toString(), raw, unknown));
            }
        }
        if (!cmd.isEmpty()) {
            commands.add(cmd);
        }
        return commands;
    }

    /**
     * Expands the {@code $} or backtick at {@code at[0]}: appends the value and moves past it; returns why it
     * cannot be known, or null.
     */
    private static String expand(String line, int[] at, Map<String, String> env, StringBuilder text) {
        int i = at[0];
        int n = line.length();
        char c = line.charAt(i);
        if (c == '`' || (i + 1 < n && line.charAt(i + 1) == '(')) {
            // skip to the matching end, roughly: the word is unknown anyway
            int depth = 0;
            int j = i + 1;
            if (c == '`') {
                int end = line.indexOf('`', i + 1);
                at[0] = end < 0 ? n : end + 1;
            } else {
                for (; j < n; j++) {
                    if (line.charAt(j) == '(') {
                        depth++;
                    } else if (line.charAt(j) == ')' && --depth == 0) {
                        break;
                    }
                }
                at[0] = Math.min(n, j + 1);
            }
            return "is the output of a command ($(...) or `...`)";
        }
        if (i + 1 < n && line.charAt(i + 1) == '{') {
            int end = line.indexOf('}', i + 2);
            if (end < 0) {
                at[0] = n;
                return "has an unclosed ${";
            }
            String name = line.substring(i + 2, end);
            at[0] = end + 1;
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                return "uses ${" + name + "}, which keysource does not expand";
            }
            return lookup(name, "${" + name + "}", env, text);
        }
        int j = i + 1;
        while (j < n && (Character.isLetterOrDigit(line.charAt(j)) || line.charAt(j) == '_')) {
            j++;
        }
        if (j == i + 1) {
            if (j < n && "@*#?-$!0123456789".indexOf(line.charAt(j)) >= 0) {
                at[0] = j + 1;
                return "uses $" + line.charAt(j) + ", which keysource does not expand";
            }
            text.append('$');
            at[0] = j;
            return null;
        }
        String name = line.substring(i + 1, j);
        at[0] = j;
        if (Character.isDigit(name.charAt(0))) {
            return "uses $" + name + ", which keysource does not expand";
        }
        return lookup(name, "$" + name, env, text);
    }

    private static String lookup(String name, String written, Map<String, String> env, StringBuilder text) {
        String v = env.get(name);
        if (v == null) {
            return "uses " + written + ", which is not set in the helper's environment";
        }
        text.append(v);
        return null;
    }
}
