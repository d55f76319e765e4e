package dev.convkit.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.graph.Input;
import dev.convkit.graph.Model;
import dev.convkit.graph.ProgramBuilder;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Activation;
import dev.convkit.layers.BatchNormalization;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.GlobalAveragePooling2D;
import dev.convkit.ops.BatchNormReluInfer;
import dev.convkit.ops.BatchNormReluTrain;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link BackendOptions#fusedOps()}: on by default; off, the cpu engine's programs keep BN and ReLU apart. */
class FusedOpsOptionTest {

    private static Model convBnRelu() {
        SymbolicTensor x = Input.of("image", 3, 8, 8);
        SymbolicTensor y = new Conv2D("conv", 4, 3).apply(x);
        y = Activation.relu("relu").apply(new BatchNormalization("bn").apply(y));
        return new Model("m", x, new Dense("dense", 2).apply(new GlobalAveragePooling2D("gap").apply(y)));
    }

    private static List<String> trainingOps(Backend engine) {
        return ProgramBuilder.training(convBnRelu(), 2, ProgramBuilder.Labels.SPARSE, engine::fuses).instrs().stream()
                .filter(i -> i.forward() == null).map(i -> i.op().name()).toList();
    }

    @Test void defaultsFuseBnReluOnTheCpuEngineAndTheOptionTurnsItOff() {
        assertTrue(BackendOptions.defaults().fusedOps());
        assertFalse(BackendOptions.defaults().withFusedOps(false).withThreads(0).fusedOps(), "with-methods keep the flag");
        try (Backend fused = Backends.open("cpu", BackendOptions.defaults());
             Backend plain = Backends.open("cpu", BackendOptions.defaults().withFusedOps(false))) {
            assertTrue(fused.fuses(new BatchNormReluTrain(1e-3f, 0.99f)));
            assertTrue(fused.fuses(new BatchNormReluInfer(1e-3f)));
            assertFalse(plain.fuses(new BatchNormReluTrain(1e-3f, 0.99f)));
            assertFalse(plain.fuses(new BatchNormReluInfer(1e-3f)));
            List<String> withFusion = trainingOps(fused), without = trainingOps(plain);
            assertTrue(withFusion.contains("batch_norm_relu_train") && !withFusion.contains("relu"), withFusion.toString());
            assertTrue(without.contains("batch_norm_train") && without.contains("relu"), without.toString());
            assertEquals(withFusion.size() + 1, without.size(), "one BN + ReLU pair: one op fewer when fused");
        }
    }
}
