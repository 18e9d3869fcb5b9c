package dev.keysource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysource.testkit.Canary;
import dev.keysource.testkit.ErrorContract;
import dev.keysource.testkit.FakeKeySource;
import dev.keysource.testkit.FakeTime;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The error contract of docs/errors.md: "reference: detail", immutable, one retry rule, internal errors. */
class ErrorContractTest {

    private static final String REF = "fake:api-key";

    private final FakeTime time = new FakeTime();

    private CachedKey key(FakeKeySource source, int attempts) {
        return CachedKey.builder(source).ticker(time.ticker()).clock(time.clock()).scheduler(time.scheduler())
                .executor(Runnable::run).jitter(0).maxAttempts(attempts).environment(Map.of())
                .systemProperties(Map.of()).build();
    }

    /** Every public core type, with its (reference, detail, cause) constructor. */
    static Stream<Arguments> coreTypes() {
        return Stream.of(
                Arguments.of(KeySourceException.class, (Ctor) KeySourceException::new),
                Arguments.of(InvalidReferenceException.class, (Ctor) InvalidReferenceException::new),
                Arguments.of(SecretNotFoundException.class, (Ctor) SecretNotFoundException::new),
                Arguments.of(SourceAccessDeniedException.class, (Ctor) SourceAccessDeniedException::new),
                Arguments.of(SourceInterruptedException.class, (Ctor) SourceInterruptedException::new),
                Arguments.of(SourceMisconfiguredException.class, (Ctor) SourceMisconfiguredException::new),
                Arguments.of(SourceTimeoutException.class, (Ctor) SourceTimeoutException::new),
                Arguments.of(SourceUnavailableException.class, (Ctor) SourceUnavailableException::new),
                Arguments.of(InternalKeySourceException.class, (Ctor) InternalKeySourceException::new));
    }

    interface Ctor {
        KeySourceException make(String reference, String detail, Throwable cause);
    }

    @ParameterizedTest
    @MethodSource("coreTypes")
    void constructor_referenceAndDetail_messageIsReferenceColonDetail(Class<?> type, Ctor ctor) {
        KeySourceException e = ctor.make(REF, "no such secret; check the path", null);
        assertThat(e).isExactlyInstanceOf(type);
        assertThat(e.getMessage()).isEqualTo("fake:api-key: no such secret; check the path");
        assertThat(e.detail()).isEqualTo("no such secret; check the path");
        assertThat(e.reference()).isEqualTo(REF);
        assertThat(e.scheme()).isEqualTo("fake");
        assertThat(e.attempts()).isEqualTo(1);
        ErrorContract.assertHolds(e);
    }

    @Test
    void constructor_noReference_messageIsTheDetail() {
        KeySourceException e = new SourceMisconfiguredException(null, "setting 'timeout' must be positive");
        assertThat(e.getMessage()).isEqualTo("setting 'timeout' must be positive");
        assertThat(e.reference()).isNull();
        ErrorContract.assertHolds(e);
    }

    @Test
    void errorContract_referenceRepeatedInDetail_fails() {
        KeySourceException doubled = new SecretNotFoundException(REF, REF + ": no such secret");
        assertThat(doubled.getMessage()).isEqualTo("fake:api-key: fake:api-key: no such secret");
        assertThatThrownBy(() -> ErrorContract.assertHolds(doubled)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("appears more than once");
        // also when the doubled one is a cause
        KeySourceException outer = new SourceMisconfiguredException("fake:other", "wrapped", doubled);
        assertThatThrownBy(() -> ErrorContract.assertHolds(outer)).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> ErrorContract.assertReferenceOnce("stderr", REF, "keysource: " + doubled.getMessage()))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void errorContract_anotherReferenceInTheDetail_isNotARepeat() {
        ErrorContract.assertHolds(new SourceMisconfiguredException("vault:secret/db", "the secret has 2 fields; name "
                + "one with #field, e.g. vault:secret/db#password"));
        ErrorContract.assertHolds(new SourceMisconfiguredException("vault:secret", "'secret' names the mount; write "
                + "vault:secret/<name>"));
        assertThatThrownBy(() -> ErrorContract.assertHolds(new SourceMisconfiguredException("vault:secret/db",
                "cannot read vault:secret/db; check the path"))).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> ErrorContract.assertReferenceOnce("stderr", "vault:secret/db",
                "keysource: vault:secret/db: vault:secret/db: no such secret")).isInstanceOf(AssertionError.class);
    }

    @Test
    void everyField_isFinal() {
        for (Class<?> c = SourceTimeoutException.class; c != RuntimeException.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                assertThat(Modifier.isFinal(f.getModifiers())).as("%s.%s is final", c.getSimpleName(), f.getName())
                        .isTrue();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("coreTypes")
    void withAttempts_coreType_newExceptionOfTheSameTypeAndTheOriginalUnchanged(Class<?> type, Ctor ctor) {
        IOException cause = new IOException("connection reset");
        KeySourceException original = ctor.make(REF, "backend down (503)", cause);
        original.addSuppressed(new IllegalStateException("suppressed"));
        KeySourceException copy = original.withAttempts(3);
        assertThat(copy).isNotSameAs(original).isExactlyInstanceOf(type);
        assertThat(copy.getMessage()).isEqualTo("fake:api-key: backend down (503) (gave up after 3 attempts)");
        assertThat(copy.reference()).isEqualTo(REF);
        assertThat(copy.detail()).isEqualTo("backend down (503)");
        assertThat(copy.attempts()).isEqualTo(3);
        assertThat(copy.getCause()).isSameAs(cause);
        assertThat(copy.getStackTrace()).isEqualTo(original.getStackTrace());
        assertThat(copy.getSuppressed()).containsExactly(original.getSuppressed());
        assertThat(copy.isTransient()).isEqualTo(original.isTransient());
        ErrorContract.assertHolds(copy);
        assertThat(original.attempts()).isEqualTo(1);
        assertThat(original.getMessage()).isEqualTo("fake:api-key: backend down (503)");
        assertThat(original.withAttempts(1)).isSameAs(original);
        assertThatThrownBy(() -> original.withAttempts(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A backend's own subtype, outside keysource-core. */
    static final class SealedException extends SourceUnavailableException {
        SealedException(String reference, String detail) {
            super(reference, detail);
        }
    }

    static final class NoSuchMountException extends SourceMisconfiguredException {
        NoSuchMountException(String reference, String detail) {
            super(reference, detail);
        }
    }

    @Test
    void withAttempts_subclassOutsideCore_becomesItsNearestCoreType() {
        KeySourceException copy = new SealedException(REF, "Vault is sealed").withAttempts(2);
        assertThat(copy).isExactlyInstanceOf(SourceUnavailableException.class);
        assertThat(copy.getMessage()).isEqualTo("fake:api-key: Vault is sealed (gave up after 2 attempts)");
        assertThat(new NoSuchMountException(REF, "no mount").withAttempts(2))
                .isExactlyInstanceOf(SourceMisconfiguredException.class);
    }

    @Test
    void retriesExhausted_timeout_stillCaughtAsSourceTimeoutException() {
        FakeKeySource src = FakeKeySource.of(REF).thenFail(new SourceTimeoutException(REF, "no answer in 2000 ms"));
        CompletableFuture<Secret> f = key(src, 3).refresh();
        time.advance(Duration.ofSeconds(10));
        assertThat(src.calls()).isEqualTo(3);
        assertThatThrownBy(f::join).cause().isExactlyInstanceOf(SourceTimeoutException.class)
                .hasMessage("fake:api-key: no answer in 2000 ms (gave up after 3 attempts)");
    }

    @Test
    void isTransient_isFinal_soNoSubclassCanChangeTheRetryRule() throws Exception {
        assertThat(Modifier.isFinal(KeySourceException.class.getMethod("isTransient").getModifiers())).isTrue();
        assertThat(Modifier.isFinal(KeySourceException.class.getMethod("withAttempts", int.class).getModifiers()))
                .isTrue();
        assertThat(Modifier.isFinal(KeySourceException.class.getMethod("getMessage").getModifiers())).isTrue();
    }

    @Test
    void retryRule_subclassOfANonTransientType_notRetried() {
        NoSuchMountException failure = new NoSuchMountException(REF, "no mount");
        assertThat(failure.isTransient()).isFalse();
        FakeKeySource src = FakeKeySource.of(REF).thenFail(failure);
        CachedKey key = key(src, 5);
        assertThatThrownBy(key::get).isSameAs(failure);
        time.advance(Duration.ofSeconds(30));
        assertThat(src.calls()).isEqualTo(1);
    }

    @Test
    void retryRule_subclassOfATransientType_retried() {
        SealedException failure = new SealedException(REF, "Vault is sealed");
        assertThat(failure.isTransient()).isTrue();
        FakeKeySource src = FakeKeySource.of(REF).thenFail(failure);
        CompletableFuture<Secret> f = key(src, 3).refresh();
        time.advance(Duration.ofSeconds(10));
        assertThat(src.calls()).isEqualTo(3);
        assertThatThrownBy(f::join).cause().isExactlyInstanceOf(SourceUnavailableException.class)
                .hasMessage("fake:api-key: Vault is sealed (gave up after 3 attempts)");
    }

    @Test
    void unclassifiedBackendFailure_isAnInternalError_notRetried_withoutTheOriginalMessage() {
        FakeKeySource src = FakeKeySource.of(REF).then(() -> {
            throw new IllegalStateException("token " + Canary.SECRET + " rejected");
        });
        CachedKey key = key(src, 3);
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(key::get);
        time.advance(Duration.ofSeconds(10));
        assertThat(src.calls()).isEqualTo(1);
        assertThat(thrown).isExactlyInstanceOf(InternalKeySourceException.class).hasNoCause()
                .hasMessage("fake:api-key: internal error: the backend failed with an unexpected "
                        + "java.lang.IllegalStateException; this is a bug in keysource or the backend, not in your "
                        + "configuration: please report it at https://github.com/keysource-dev/keysource/issues");
        KeySourceException e = (KeySourceException) thrown;
        assertThat(e.isTransient()).isFalse();
        assertThat(e).isNotInstanceOf(SourceMisconfiguredException.class);
        ErrorContract.assertHolds(e);
    }
}
