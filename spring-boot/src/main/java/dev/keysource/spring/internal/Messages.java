package dev.keysource.spring.internal;

/** Wording shared by the starter's messages. */
final class Messages {

    private Messages() {
    }

    /**
     * The message of {@code failure} without its leading {@code reference + ": "}, for a message of ours that
     * names the reference already: a keysource message is "reference: detail" (docs/errors.md), and saying the
     * reference twice helps nobody. Any other message is returned whole.
     */
    static String after(String reference, Throwable failure) {
        String m = String.valueOf(failure.getMessage());
        String prefix = reference + ": ";
        return reference != null && m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }
}
