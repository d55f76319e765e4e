package dev.convkit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendException;
import dev.convkit.backend.MemoryKind;
import dev.convkit.graph.Model;
import dev.convkit.graph.ProgramBuilder.Labels;
import dev.convkit.models.ModelRegistry;
import dev.convkit.ops.SgdUpdate;
import dev.convkit.testing.TestBackends;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A batch too large for the machine fails when its step is compiled, with the plan per arena, before anything is allocated. */
class MemoryBudgetTest {

    @Test void cpuBatchTooLargeFailsAtCompileTimeWithThePlanAndTheMemoryAvailable() {
        var cpu = TestBackends.all().stream().filter(p -> p.name().equals("cpu")).findFirst().orElseThrow();
        TestBackends.assumeAvailable(cpu);
        Model m = ModelRegistry.create("mnist_cnn");
        try (Backend backend = TestBackends.open(cpu);
             CompiledModel cm = new CompiledModel(m, backend, new SgdUpdate(0f, false))) {
            long available = backend.availableMemory();
            assumeTrue(available > 0, "the cpu engine cannot tell the memory available on this system");
            Map<MemoryKind, Long> at64 = cm.plan(64, true, Labels.SPARSE);
            long perImage = (at64.get(MemoryKind.ACTIVATIONS) + at64.get(MemoryKind.SAVED) + at64.get(MemoryKind.SCRATCH)) / 64;
            int batch = (int) Math.min(Integer.MAX_VALUE / 784, 2 * available / perImage + 1);
            assumeTrue((long) batch * 784 * 4 < Runtime.getRuntime().maxMemory() / 2,
                    "the input batch of " + batch + " images would not fit this test JVM's heap");
            float[][] input = {new float[batch * 784]};
            float[] labels = new float[batch];
            BackendException e = assertThrows(BackendException.class, () -> cm.trainStep(input, labels, Labels.SPARSE, 0.01f));
            String msg = e.getMessage();
            assertTrue(msg.startsWith("cpu: a training step of model 'mnist_cnn' at batch " + batch + " needs "), msg);
            assertTrue(msg.contains("activations ") && msg.contains("already held: params "), msg);
            assertTrue(msg.contains("is available to the cpu engine"), msg);
            long fits = Long.parseLong(msg.replaceAll(".*a batch of at most about (\\d+) fits.*", "$1"));
            assertTrue(fits > 0 && fits < batch / 2, "suggested batch " + fits + " for " + batch + ": " + msg);
            // Nothing was allocated for the refused step: a normal batch still trains.
            assertEquals(0, cm.trainStep(new float[][] {new float[8 * 784]}, new float[8], Labels.SPARSE, 0.01f).probs().length % 10);
        }
    }

    @Test void theReserveIsFivePercentAndAtLeast256MiB() {
        assertEquals(256L << 20, MemoryBudget.reserve(1L << 30));
        assertEquals((64L << 30) / 20, MemoryBudget.reserve(64L << 30));
    }
}
