package dev.keysource.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.InternalKeySourceException;
import dev.keysource.InvalidReferenceException;
import dev.keysource.KeySourceException;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.SourceInterruptedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.SourceTimeoutException;
import dev.keysource.SourceUnavailableException;
import org.junit.jupiter.api.Test;

class ExitCodesTest {

    @Test
    void of_eachFailureType_mapsToItsCode() {
        assertThat(ExitCodes.of(new InvalidReferenceException("r", "m"))).isEqualTo(2);
        assertThat(ExitCodes.of(new IllegalArgumentException("timeout must be positive"))).isEqualTo(2);
        assertThat(ExitCodes.of(new SecretNotFoundException("r", "m"))).isEqualTo(3);
        assertThat(ExitCodes.of(new SourceAccessDeniedException("r", "m"))).isEqualTo(4);
        assertThat(ExitCodes.of(new SourceUnavailableException("r", "m"))).isEqualTo(5);
        assertThat(ExitCodes.of(new SourceTimeoutException("r", "m"))).isEqualTo(5);
        assertThat(ExitCodes.of(new SourceInterruptedException("r", "m"))).isEqualTo(5);
        assertThat(ExitCodes.of(new SourceMisconfiguredException("r", "m"))).isEqualTo(6);
    }

    @Test
    void of_unclassifiedFailure_isAnInternalError() {
        assertThat(ExitCodes.of(new KeySourceException("r", "m"))).isEqualTo(1);
        assertThat(ExitCodes.of(new IllegalStateException("bug"))).isEqualTo(1);
        assertThat(ExitCodes.of(new InternalKeySourceException("r", "internal error: ..."))).isEqualTo(1);
    }

    @Test
    void of_messageThatLooksLikeAnotherType_isIgnored() {
        assertThat(ExitCodes.of(new SourceUnavailableException("r", "403 access denied, not found"))).isEqualTo(5);
    }

    @Test
    void describe_everyCode_hasAName() {
        assertThat(ExitCodes.describe(4)).isEqualTo("rejected (authentication or permission)");
        assertThat(ExitCodes.describe(5)).isEqualTo("backend unavailable or timed out");
        assertThat(ExitCodes.describe(42)).isEqualTo("internal error");
    }
}
