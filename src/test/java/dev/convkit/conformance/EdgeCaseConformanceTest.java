package dev.convkit.conformance;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendProvider;
import dev.convkit.testing.Closeness;
import dev.convkit.testing.EngineHarness;
import dev.convkit.testing.ReferenceOps;
import dev.convkit.testing.TestBackends;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The named behaviours of {@link EdgeCases}, with their hand-computed values, on the reference and on every engine
 * (unavailable engines are skipped with the reason). One suite for what every engine must do alike; the engine
 * test classes keep only lifetimes, layouts and messages.
 */
class EdgeCaseConformanceTest {
    private static final Map<String, Backend> OPENED = new HashMap<>();

    static Stream<Named<EdgeCase>> cases() { return EdgeCases.all().stream().map(c -> Named.of(c.name(), c)); }

    static Stream<Arguments> enginesAndCases() {
        return TestBackends.all().stream().flatMap(p -> EdgeCases.all().stream()
                .map(c -> Arguments.of(Named.of(p.name(), p), Named.of(c.name(), c))));
    }

    @AfterAll
    static void closeEngines() {
        for (Backend b : OPENED.values()) b.close();
        OPENED.clear();
    }

    @ParameterizedTest(name = "reference: {0}")
    @MethodSource("cases")
    void referenceGivesTheHandValues(EdgeCase c) {
        double[][] in = c.inputCopy();
        double[][] out = ReferenceOps.run(c.op(), c.specs(), in);
        check("reference", c, out, in);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("enginesAndCases")
    void engineGivesTheHandValues(BackendProvider provider, EdgeCase c) {
        TestBackends.assumeAvailable(provider);
        Backend backend = OPENED.computeIfAbsent(provider.name(), n -> TestBackends.open(provider));
        // forward(): a kernel that keeps memory for a backward op (max pooling's workspace) gets it
        try (EngineHarness.ForwardRun f = new EngineHarness(backend).forward(c.op(), c.specs(), c.inputCopy())) {
            check(provider.name(), c, f.result().outputs(), f.result().inputsAfter());
        }
    }

    private static void check(String who, EdgeCase c, double[][] outputs, double[][] inputsAfter) {
        for (int j = 0; j < c.outputs().length; j++) {
            if (c.outputs()[j] == null) continue;
            Closeness.assertClose(who + " " + c.name() + " output " + j, c.op().outputs(c.specs()).get(j).shape(),
                    c.outputs()[j], outputs[j], c.tolerance());
        }
        for (int i = 0; i < c.inputsAfter().length; i++) {
            if (c.inputsAfter()[i] == null) continue;
            Closeness.assertClose(who + " " + c.name() + " input " + i + " after the run", c.specs().get(i).shape(),
                    c.inputsAfter()[i], inputsAfter[i], c.tolerance());
        }
    }
}
