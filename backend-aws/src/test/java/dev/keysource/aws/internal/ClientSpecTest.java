package dev.keysource.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClientSpecTest {

    @Test
    void arnRegion_fullArn_givesItsRegion() {
        assertThat(ClientSpec.arnRegion("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/claude-AbCdEf"))
                .contains("eu-west-1");
        assertThat(ClientSpec.arnRegion("arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x")).contains("cn-north-1");
    }

    @Test
    void arnRegion_nameOrOtherArn_givesNone() {
        assertThat(ClientSpec.arnRegion("prod/claude")).isEmpty();
        assertThat(ClientSpec.arnRegion("arn:aws:ssm:eu-west-1:123456789012:parameter/x")).isEmpty();
        assertThat(ClientSpec.arnRegion("arn:aws:secretsmanager::123456789012:secret:x")).isEmpty();
    }

    @Test
    void callTimeout_isNineTenthsOfTheAttemptTimeLimit() {
        assertThat(ClientSpec.callTimeout(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(27));
        assertThat(ClientSpec.callTimeout(Duration.ofMillis(600))).isEqualTo(Duration.ofMillis(540));
        assertThat(ClientSpec.callTimeout(Duration.ofNanos(5))).isEqualTo(Duration.ofNanos(4));
        assertThat(ClientSpec.callTimeout(Duration.ofNanos(1))).isEqualTo(Duration.ofNanos(1));
    }
}
