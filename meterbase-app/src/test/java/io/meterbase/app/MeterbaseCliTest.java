package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.auth.AuthResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as a newcomer meets it: help everywhere, one-line errors, and a way back in for operators. */
class MeterbaseCliTest {

    @TempDir
    Path dir;

    /** What a command printed and how it ended. */
    private record Ran(int exit, String out, String err) {}

    private static synchronized Ran run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            CommandLine cli = MeterbaseCli.commandLine();
            cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
            cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
            int exit = cli.execute(args);
            return new Ran(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
        }
    }

    @Test
    void everyCommand_answersHelp_listingItsOptions() {
        for (String command : new String[] {
            "serve",
            "demo",
            "migrate",
            "rebuild-rollups",
            "compact",
            "move-to-postgres",
            "analyst",
            "operator-key",
            "settings"
        }) {
            Ran help = run(command, "--help");
            assertThat(help.exit()).as(command + ": " + help.err()).isZero();
            assertThat(help.out())
                    .as(command)
                    .contains("Usage: meterbase " + command)
                    .contains("--help");
        }
        Ran demo = run("demo", "--help");
        assertThat(demo.out())
                .contains("--port", "--https-port", "--mqtt-port", "--mqtts-port", "--mqtt-wss-port")
                .contains("--coap-port", "--coaps-port", "--homes");
    }

    @Test
    void aBadSetting_isOneLine_andMakesNoOperatorKey_thenOperatorKeyMakesOne() throws Exception {
        Path config = dir.resolve("meterbase.properties");
        Files.writeString(config, "http.prot=8081\nmqtt.enabled=false\ncoap.enabled=false\n");
        Path data = dir.resolve("data");

        Ran bad = run("serve", "--config", config.toString(), "--data", data.toString());

        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().strip())
                .isEqualTo("meterbase serve: unknown setting 'http.prot' (did you mean 'http.port'?)");
        assertThat(bad.out()).doesNotContain("operator key");
        assertThat(Files.exists(data)).as("nothing was made").isFalse();

        // an operator who lost the first key makes another from the machine that holds the data
        Ran made = run("operator-key", "--data", data.toString());
        assertThat(made.exit()).as(made.err()).isZero();
        String key = made.out().replaceAll("(?s).*shown once, keep it safe\\): (\\S+).*", "$1");
        assertThat(key).startsWith("mbk_");
        try (Meterbase server =
                Meterbase.start(TestConfigs.httpOnly(dir).with("data.dir", data.toString()), Clock.systemUTC())) {
            assertThat(server.registry().authenticate(key))
                    .isInstanceOfSatisfying(
                            AuthResult.Accepted.class,
                            a -> assertThat(a.principal().isOperator()).isTrue());
            // the store has an operator key now, so no other "first" key is made
            assertThat(server.newOperatorSecret()).isEmpty();
        }
    }
}
