package dev.keysource.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import dev.keysource.testkit.Canary;
import org.junit.jupiter.api.Test;

class ArgsTest {

    @Test
    void parse_getWithOptionsAnywhere_readsThem() {
        Args a = Args.parse(new String[] {"--timeout", "5s", "get", "vault:secret/a#k", "--format=json", "--set", "x=1=2"});
        assertThat(a.command).isEqualTo(Args.Command.GET);
        assertThat(a.reference).isEqualTo("vault:secret/a#k");
        assertThat(a.format).isEqualTo(Args.Format.JSON);
        assertThat(a.timeout).isEqualTo(Duration.ofSeconds(5));
        assertThat(a.settings).containsEntry("x", "1=2");
    }

    @Test
    void parse_doubleDash_endsOptions() {
        assertThat(Args.parse(new String[] {"get", "--", "-odd:ref"}).reference).isEqualTo("-odd:ref");
    }

    @Test
    void parse_helpAndVersion_winOverEverythingElse() {
        assertThat(Args.parse(new String[] {"get", "--help"}).command).isEqualTo(Args.Command.HELP);
        assertThat(Args.parse(new String[] {"-V"}).command).isEqualTo(Args.Command.VERSION);
    }

    @Test
    void parse_mistakes_sayWhatToDo() {
        assertThatThrownBy(() -> Args.parse(new String[] {})).hasMessageStartingWith("no command;");
        assertThatThrownBy(() -> Args.parse(new String[] {"vault:secret/a"}))
                .hasMessage("unknown command 'vault:secret/a'; the commands are get, check, git-credential, "
                        + "docker-credential and help (did you mean "
                        + "'keysource get vault:secret/a'?)");
        assertThatThrownBy(() -> Args.parse(new String[] {"get", "script:~/h.sh", "--profile"}))
                .hasMessage("unknown option '--profile'; the options are --format, --timeout, --set, --aws-fields, "
                        + "--username, --help, --version");
        assertThatThrownBy(() -> Args.parse(new String[] {"get", "script:~/h.sh", "--fromat=json"}))
                .hasMessage("unknown option '--fromat' (did you mean '--format'?); the options are --format, --timeout, "
                        + "--set, --aws-fields, --username, --help, --version");
        assertThatThrownBy(() -> Args.parse(new String[] {"get", "script:~/h.sh", "dev"}))
                .hasMessageStartingWith("unexpected argument 'dev' after the reference; a reference is one argument: "
                        + "quote a script command line");
        assertThatThrownBy(() -> Args.parse(new String[] {"get", "x:y", "--format", "yaml"}))
                .hasMessage("--format must be raw, json, credential-process (AWS) or exec-credential (Kubernetes); "
                        + "got 'yaml'");
        assertThatThrownBy(() -> Args.parse(new String[] {"get", "x:y", "--timeout"}))
                .hasMessage("option --timeout needs a value");
        assertThatThrownBy(() -> Args.parse(new String[] {"check"}))
                .hasMessageStartingWith("check: the reference is missing");
    }

    @Test
    void parse_credentialSettingsInArgv_areRefused_pointingAtTheEnvironmentOrAFile() {
        assertThatThrownBy(() -> Args.parse(new String[] {"get", "--set", "token=" + Canary.SECRET, "vault:a/b"}))
                .hasMessage("--set token=... puts a credential on the command line, where every user of this machine "
                        + "can read it (ps, /proc); it is refused, and its value was not used. Set VAULT_TOKEN (or "
                        + "KEYSOURCE_VAULT_TOKEN) in the environment, or leave it in ~/.vault-token");
        assertThatThrownBy(() -> Args.parse(new String[] {"get", "--set=secret-id=" + Canary.SECRET, "vault:a/b"}))
                .hasMessageEndingWith("Set VAULT_SECRET_ID in the environment, or name a file with --set "
                        + "secret-id-file=PATH");
        assertThatThrownBy(() -> Args.parse(new String[] {"get", "--set", "db-password=" + Canary.SECRET, "x:y"}))
                .hasMessageEndingWith("Set it in the environment (KEYSOURCE_<SCHEME>_DB_PASSWORD) or name a file "
                        + "holding it (--set db-password-file=PATH, where the backend has one)");
        assertThatThrownBy(() -> Args.parse(new String[] {"get", "--set", Canary.SECRET, "x:y"}))
                .hasMessage("--set needs NAME=VALUE, e.g. --set working-dir=/srv/app; got an argument without a name "
                        + "before '='");
        assertThat(Args.parse(new String[] {"get", "--set", "secret-id-file=/run/sid", "vault:a/b"}).settings)
                .containsEntry("secret-id-file", "/run/sid");
    }

    @Test
    void duration_acceptedForms_parse() {
        assertThat(Args.duration("1500")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Args.duration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Args.duration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Args.duration("PT3S")).isEqualTo(Duration.ofSeconds(3));
        assertThatThrownBy(() -> Args.duration("0")).hasMessageContaining("positive duration");
        assertThatThrownBy(() -> Args.duration("5 s")).hasMessageContaining("got '5 s'");
    }
}
