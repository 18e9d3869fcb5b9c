package dev.keysource.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

class CanaryExtensionTest {

    private static EngineExecutionResults run(String method) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .selectors(selectMethod(LeakingFixtures.class, method))
                .execute();
    }

    private static String failureMessage(EngineExecutionResults r) {
        Event e = r.testEvents().failed().stream().findFirst().orElseThrow();
        Throwable t = e.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
        StringBuilder sb = new StringBuilder(String.valueOf(t.getMessage()));
        for (Throwable s : t.getSuppressed()) {
            sb.append(" | ").append(s.getMessage());
        }
        return sb.toString();
    }

    @Test
    void leakInLog_failsTheTest() {
        EngineExecutionResults r = run("leaksInLog");
        assertThat(r.testEvents().failed().count()).isEqualTo(1);
        assertThat(failureMessage(r)).contains("canary secret leaked in the test's stdout/stderr/logs")
                .doesNotContain(Canary.SECRET);
    }

    @Test
    void leakInExceptionMessage_failsWithCanaryError() {
        EngineExecutionResults r = run("leaksInExceptionMessage");
        assertThat(r.testEvents().failed().count()).isEqualTo(1);
        assertThat(failureMessage(r)).contains("canary secret leaked in the message of java.lang.IllegalStateException");
    }

    @Test
    void leakOnStdout_failsTheTest() {
        assertThat(run("leaksOnStdout").testEvents().failed().count()).isEqualTo(1);
    }

    @Test
    void cleanTest_passes() {
        EngineExecutionResults r = run("clean");
        assertThat(r.testEvents().succeeded().count()).isEqualTo(1);
        assertThat(r.testEvents().failed().count()).isZero();
    }
}
