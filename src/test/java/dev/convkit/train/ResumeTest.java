package dev.convkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.backend.Backend;
import dev.convkit.data.BatchPipeline;
import dev.convkit.data.Dataset;
import dev.convkit.data.PipelineOptions;
import dev.convkit.data.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fit} for 3 epochs straight versus 1 epoch, a new process-like trainer, {@code resume} and 2 more: identical
 * parameters, optimizer state, rates, history and log. The run exercises everything resuming must restore: SGD
 * momentum, BN statistics, the dropout counter (from t), a partial last batch (200 = 4 × 48 + 8), per-step warm-up,
 * a ReduceLROnPlateau that lowers the rate at every epoch after the first (its best value must survive the resume),
 * and the pipeline's per-epoch shuffle.
 */
class ResumeTest {
    private static Backend cpu;
    private static Dataset train, val;

    @BeforeAll
    static void open() {
        cpu = TrainFixtures.cpu();
        train = TrainFixtures.mnist(Split.TRAIN, 200);
        val = TrainFixtures.mnist(Split.TEST, 64);
    }

    @AfterAll
    static void close() { if (cpu != null) cpu.close(); }

    private static final Optimizer SGD = Optimizer.sgd(0.05, 0.9, true);

    private static Trainer trainer(Path dir, long initSeed) {
        return Trainer.builder(TrainFixtures.tinyCnn("tiny", 4), cpu, SGD).runDirectory(dir).seed(initSeed)
                .schedule(LearningRateSchedule.linearWarmup(0.5, LearningRateSchedule.constant())).build();
    }

    /** Train loss never improves by 10, so the rate halves after every epoch but the first. */
    private static Callback[] callbacks(Path dir) {
        return new Callback[] {new ReduceLROnPlateau(Monitor.auto("loss"), 0.5, 0, 10, 0, 0), new CsvLogger(dir.resolve("log.csv"))};
    }

    private static BatchPipeline pipeline(long seed) { return new BatchPipeline(train, PipelineOptions.training(48, seed)); }

    private static List<String> logWithoutSeconds(Path dir) throws IOException {
        return Files.readAllLines(dir.resolve("log.csv")).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    @Test
    void oneEpochPlusResumeEqualsStraightTraining(@TempDir Path straight, @TempDir Path split) throws IOException {
        Map<String, float[]> paramsA, slotsA;
        History historyA;
        double lrA;
        try (Trainer a = trainer(straight, 5); BatchPipeline p = pipeline(7); BatchPipeline v = new BatchPipeline(val, PipelineOptions.evaluation(64))) {
            historyA = a.fit(p, v, 3, callbacks(straight));
            paramsA = a.compiledModel().parameters();
            slotsA = a.compiledModel().optimizerState();
            lrA = a.learningRate();
        }
        assertEquals(0.05 / 4, lrA, 1e-12, "halved after epochs 2 and 3");

        try (Trainer b = trainer(split, 5); BatchPipeline p = pipeline(7); BatchPipeline v = new BatchPipeline(val, PipelineOptions.evaluation(64))) {
            b.fit(p, v, 1, callbacks(split));
        }
        try (Trainer c = trainer(split, 12345); BatchPipeline p = pipeline(7); BatchPipeline v = new BatchPipeline(val, PipelineOptions.evaluation(64))) {
            Checkpoint resumed = c.resume(split);
            assertEquals(1, resumed.progress().epochsCompleted());
            assertEquals(5, resumed.progress().optimizerSteps());
            History h = c.fit(p, v, 3, callbacks(split));
            assertEquals(0f, TrainFixtures.maxDiff(paramsA, c.compiledModel().parameters()), "parameters");
            assertEquals(0f, TrainFixtures.maxDiff(slotsA, c.compiledModel().optimizerState()), "momentum");
            assertEquals(15, c.compiledModel().steps());
            assertEquals(lrA, c.learningRate());
            assertEquals(3, h.size());
            for (String key : List.of("loss", "accuracy", "top5_accuracy", "val_loss", "val_accuracy", "lr")) {
                assertArrayEquals(historyA.series(key), h.series(key), key);
            }
        }
        assertEquals(logWithoutSeconds(straight), logWithoutSeconds(split));
        assertEquals(4, Files.readAllLines(split.resolve("log.csv")).size());
    }

    @Test
    void resumingWithOtherDataSettingsIsRefused(@TempDir Path dir) throws IOException {
        try (Trainer a = trainer(dir, 5); BatchPipeline p = pipeline(7)) {
            a.fit(p, null, 1);
        }
        try (Trainer b = trainer(dir, 5); BatchPipeline p = pipeline(8)) {
            b.resume(dir);
            CheckpointException e = assertThrows(CheckpointException.class, () -> b.fit(p, null, 2));
            assertTrue(e.getMessage().startsWith("cannot resume: the checkpoint's training data had seed = 7 but this run's pipeline has 8"),
                    e.getMessage());
        }
    }

    @Test
    void theCutoutIsPartOfTheDataStateAndAbsentWhenOff() {
        PipelineOptions base = PipelineOptions.training(48, 7).withAugmentation(dev.convkit.data.Augmentation.shiftAndFlip(0.1));
        try (BatchPipeline plain = new BatchPipeline(train, base);
             BatchPipeline cut = new BatchPipeline(train, base.withAugmentation(base.augmentation().withCutout(8)))) {
            Map<String, Object> before = DataState.of(plain), after = DataState.of(cut);
            assertTrue(!((Map<?, ?>) before.get("augmentation")).containsKey("cutout"), "runs without it keep their old state: " + before);
            assertEquals(8L, ((Map<?, ?>) after.get("augmentation")).get("cutout"));
            DataState.requireSame(after, DataState.of(cut));
            CheckpointException e = assertThrows(CheckpointException.class, () -> DataState.requireSame(before, after));
            assertTrue(e.getMessage().startsWith("cannot resume: the checkpoint's training data had augmentation = "), e.getMessage());
        }
    }
}
