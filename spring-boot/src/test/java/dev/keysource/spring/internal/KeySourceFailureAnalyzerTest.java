package dev.keysource.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.InternalKeySourceException;
import dev.keysource.InvalidReferenceException;
import dev.keysource.SecretNotFoundException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.diagnostics.FailureAnalysis;

class KeySourceFailureAnalyzerTest {

    @Test
    void analyze_internalError_asksForAReportNotAFix() {
        FailureAnalysis a = new KeySourceFailureAnalyzer().analyze(InternalKeySourceException.unexpected(
                "vault:secret/app#api_key", "the backend", new NullPointerException()));
        assertThat(a.getDescription()).contains("vault:secret/app#api_key: internal error: the backend failed with an "
                + "unexpected java.lang.NullPointerException");
        assertThat(a.getAction()).startsWith("This is a bug in keysource or its backend, not in your configuration "
                + "(vault:secret/app#api_key): please report it at https://github.com/keysource-dev/keysource/issues");
    }

    @Test
    void analyze_unparsableReference_noNullInTheAction() {
        FailureAnalysis a = new KeySourceFailureAnalyzer().analyze(
                new InvalidReferenceException(null, "invalid reference 'vault:': the location after 'vault:' is empty"));
        assertThat(a.getAction()).startsWith("Fix the reference as the message says").doesNotContain("null");
    }

    @Test
    void messagesAfter_keysourceMessage_dropsTheLeadingReferenceOnly() {
        assertThat(Messages.after("vault:secret/app", new SecretNotFoundException("vault:secret/app", "nothing there")))
                .isEqualTo("nothing there");
        assertThat(Messages.after("vault:other", new SecretNotFoundException("vault:secret/app", "nothing there")))
                .isEqualTo("vault:secret/app: nothing there");
        assertThat(Messages.after("vault:secret/app", new IllegalStateException("closed"))).isEqualTo("closed");
    }
}
