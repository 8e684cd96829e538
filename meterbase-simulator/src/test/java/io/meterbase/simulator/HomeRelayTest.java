package io.meterbase.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class HomeRelayTest {

    private static double power(Home home, int plug, long ts) throws Exception {
        JsonNode upload = new ObjectMapper().readTree(home.upload(ts, 60_000));
        return upload.at("/nodes/" + plug + "/readings/0/value").asDouble();
    }

    @Test
    void aSwitchedOffPlugDrawsStandbyOnlyUntilSwitchedOn() throws Exception {
        Home home = new Home(3, ZoneId.of("UTC"));
        long t = 1_795_000_000_000L;
        int fridge = 0; // always present, always drawing something

        assertThat(power(home, fridge, t)).isGreaterThan(1);
        assertThat(home.switchRelay(fridge, "off")).isFalse();
        assertThat(power(home, fridge, t + 60_000)).isEqualTo(0.4);
        assertThat(home.switchRelay(fridge, "toggle")).isTrue();
        assertThat(power(home, fridge, t + 120_000)).isGreaterThan(1);
        assertThatThrownBy(() -> home.switchRelay(99, "on")).hasMessageContaining("no plug");
    }
}
