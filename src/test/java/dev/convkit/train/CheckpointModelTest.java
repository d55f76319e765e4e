package dev.convkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.backend.Backend;
import dev.convkit.data.Dataset;
import dev.convkit.data.Split;
import dev.convkit.exec.CompiledModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints of a real model on the cpu engine: round trip into a new compiled model, and refusals with their messages. */
class CheckpointModelTest {
    private static Backend cpu;
    private static Dataset train;

    @BeforeAll
    static void open() {
        cpu = TrainFixtures.cpu();
        train = TrainFixtures.mnist(Split.TRAIN, 96);
    }

    @AfterAll
    static void close() { if (cpu != null) cpu.close(); }

    /** One epoch of Adam in {@code dir}, so parameters, BN statistics and both Adam slots are non-trivial. */
    private static void trainOneEpoch(Path dir) {
        try (Trainer t = Trainer.builder(TrainFixtures.tinyCnn("tiny", 4), cpu, Optimizer.adam()).runDirectory(dir).seed(3).build()) {
            t.fit(train, null, 1, 32);
        }
    }

    @Test
    void roundTripIntoANewCompiledModel(@TempDir Path dir) throws IOException {
        Map<String, float[]> params, slots;
        try (Trainer t = Trainer.builder(TrainFixtures.tinyCnn("tiny", 4), cpu, Optimizer.adam()).runDirectory(dir).seed(3).build()) {
            t.fit(train, null, 1, 32);
            params = t.compiledModel().parameters();
            slots = t.compiledModel().optimizerState();
            assertEquals(3, t.compiledModel().steps());
        }
        Checkpoint c = Checkpoint.load(dir);
        assertEquals(1, c.progress().epochsCompleted());
        assertEquals(3, c.progress().optimizerSteps());
        assertEquals(Optimizer.adam(), c.optimizer());
        assertEquals(Map.of("inputs", java.util.List.of(java.util.List.of(1L, 28L, 28L)), "classes", 10L), c.modelConfig());
        assertEquals(java.util.List.of("conv/kernel", "conv/bias", "bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance",
                "dense/kernel", "dense/bias"), java.util.List.copyOf(c.parameters().keySet()), "every parameter and BN statistic");
        assertEquals(12, c.optimizerSlots().size(), "m and v of the 6 trainable parameters");
        assertTrue(c.parameters().get("bn/moving_mean").data()[0] != 0f, "BN moving statistics were updated by training");
        try (CompiledModel fresh = new CompiledModel(TrainFixtures.tinyCnn("tiny", 4), cpu, Optimizer.adam().updateOp())) {
            fresh.initialize(99);
            assertNotEquals(0f, TrainFixtures.maxDiff(params, fresh.parameters()), "a different initialisation to overwrite");
            c.loadTrainingState(fresh, Optimizer.adam());
            Map<String, float[]> p2 = fresh.parameters(), s2 = fresh.optimizerState();
            for (String k : params.keySet()) assertArrayEquals(params.get(k), p2.get(k), k);
            assertEquals(slots.keySet(), s2.keySet());
            for (String k : slots.keySet()) assertArrayEquals(slots.get(k), s2.get(k), k);
            assertEquals(3, fresh.steps());
            assertTrue(slots.values().stream().anyMatch(v -> v[0] != 0f), "Adam moments were really trained");
        }
    }

    @Test
    void otherShapesAreRejectedNamingParameterAndShapes(@TempDir Path dir) throws IOException {
        trainOneEpoch(dir);
        Checkpoint c = Checkpoint.load(dir);
        try (Trainer wider = Trainer.builder(TrainFixtures.tinyCnn("tiny", 8), cpu, Optimizer.adam()).build()) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> wider.resume(dir));
            String m = e.getMessage();
            assertTrue(m.startsWith("the checkpoint of model 'tiny' {"), m);
            assertTrue(m.contains(" does not fit this model (built with another config?); 7 parameter differences:\n"), m);
            assertTrue(m.contains("parameter 'conv/kernel': expected shape (8, 1, 3, 3), found (4, 1, 3, 3)"), m);
            assertTrue(m.contains("parameter 'dense/kernel': expected shape (288, 10), found (144, 10)"), m);
            assertThrows(CheckpointException.class, () -> wider.loadWeights(c));
        }
    }

    @Test
    void anotherModelIsRejectedByName(@TempDir Path dir) throws IOException {
        trainOneEpoch(dir);
        try (Trainer other = Trainer.builder(TrainFixtures.tinyCnn("other", 4), cpu, Optimizer.adam()).build()) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> other.resume(dir));
            assertTrue(e.getMessage().startsWith("the checkpoint holds model 'tiny' {"), e.getMessage());
            assertTrue(e.getMessage().contains(", not model 'other'; load it into a 'tiny' model built with that config"), e.getMessage());
        }
    }

    @Test
    void anotherOptimizerIsRejectedOnResume(@TempDir Path dir) throws IOException {
        trainOneEpoch(dir);
        try (Trainer sgd = Trainer.builder(TrainFixtures.tinyCnn("tiny", 4), cpu, Optimizer.sgd()).build()) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> sgd.resume(dir));
            assertEquals("the checkpoint was trained with adam(lr=0.001, beta1=0.9, beta2=0.999, epsilon=1.0E-7) but the trainer uses "
                    + "sgd(lr=0.01, momentum=0.0, nesterov=false); resume with the checkpoint's optimizer (Checkpoint.optimizer())", e.getMessage());
        }
    }
}
