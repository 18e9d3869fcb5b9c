package dev.keysource.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The fleet simulation agrees with what its settings imply, and the three set-ups differ as docs/fleet.md says. */
class FleetSimulationTest {

    @Test
    void run_200ProcessesOn10Nodes_countsPerSetup() {
        FleetSimulation.Config cfg = new FleetSimulation.Config();
        cfg.processes = 200;
        cfg.nodes = 10;
        List<FleetSimulation.Result> r = FleetSimulation.run(cfg);
        FleetSimulation.Result direct = r.get(0);
        FleetSimulation.Result agent = r.get(1);
        FleetSimulation.Result files = r.get(2);
        // direct: a refresh every 80% of 5 min (jitter ±10% averages out): 15 calls per process-hour
        assertThat(direct.callsPerHour / cfg.processes).isCloseTo(15.0, within(1.0));
        // one login per process per token hour
        assertThat(direct.loginsPerHour).isCloseTo(cfg.processes, within(cfg.processes * 0.05));
        // agent: the agent's 5-minute cache answers its node's processes: 12 calls per node-hour, at most 15
        assertThat(agent.callsPerHour / cfg.nodes).isBetween(11.0, 15.5);
        assertThat(agent.loginsPerHour).isCloseTo(cfg.nodes, within(1.0));
        assertThat(agent.localReadsPerHour).isCloseTo(direct.callsPerHour, within(direct.callsPerHour * 0.1));
        // files: one render per node every 5 minutes
        assertThat(files.callsPerHour).isCloseTo(12.0 * cfg.nodes, within(1.0));
        assertThat(files.loginsPerHour).isCloseTo(cfg.nodes, within(1.0));
    }
}
