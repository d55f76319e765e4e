package dev.convkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.backend.Backend;
import dev.convkit.data.BatchIterator;
import dev.convkit.data.BatchPipeline;
import dev.convkit.data.Dataset;
import dev.convkit.data.PipelineOptions;
import dev.convkit.data.Split;
import dev.convkit.graph.ProgramBuilder.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Trainer} on the cpu engine with a tiny CNN and a few hundred real MNIST images. */
class TrainerTest {
    private static Backend cpu;
    private static Dataset train, test;

    @BeforeAll
    static void open() {
        cpu = TrainFixtures.cpu();
        train = TrainFixtures.mnist(Split.TRAIN, 500);
        test = TrainFixtures.mnist(Split.TEST, 200);
    }

    @AfterAll
    static void close() { if (cpu != null) cpu.close(); }

    private static TrainerBuilder tiny(Optimizer o) { return Trainer.builder(TrainFixtures.tinyCnn("tiny", 8), cpu, o).seed(11); }

    @Test
    void fitLearnsAndEvaluationAgreesWithTheHistory() {
        try (Trainer t = tiny(Optimizer.adam(3e-3, 0.9, 0.999, 1e-7)).build()) {
            // 6 epochs: after 4 the accuracy sat at 0.585–0.615 depending on seed, thread count and layout (rounding
            // only: losses agree to 1e-6); after 6 every seed and layout measured reached at least 0.66.
            History h = t.fit(train, test, 6, 50);
            assertEquals(6, h.size());
            double[] loss = h.series("loss");
            assertTrue(loss[5] < loss[0] * 0.6, "training loss falls: " + java.util.Arrays.toString(loss));
            double valAcc = h.last().get("val_accuracy");
            assertTrue(valAcc > 0.6, "a tiny CNN on 500 MNIST images reaches > 60% after 6 epochs: " + valAcc);
            assertEquals(0, Math.round(valAcc * 200) - valAcc * 200, 1e-9, "accuracy is hits / 200");

            Metrics m = t.evaluate(test, 64);                          // other batch sizes, last one partial (8)
            assertEquals(valAcc, m.accuracy());
            assertEquals(h.last().get("val_top5_accuracy"), m.top5Accuracy());
            assertEquals(h.last().get("val_loss"), m.loss(), 1e-5);
            assertEquals(200, m.samples());

            float[] probs = t.predict(test, 48);
            assertEquals(200 * 10, probs.length);
            int hits = 0;
            for (int i = 0; i < 200; i++) if (Accuracy.argmax(probs, i * 10, 10) == test.labels()[i]) hits++;
            assertEquals(m.accuracy(), hits / 200.0);
            try (BatchPipeline shuffled = new BatchPipeline(test, PipelineOptions.training(32, 3))) {
                assertArrayEquals(probs, t.predict(shuffled), 1e-6f, "rows follow the data set whatever the pipeline order");
            }
        }
    }

    @Test
    void fitReportsProgressByDefaultAndVerboseFalseSilencesIt() {
        Dataset data = TrainFixtures.mnist(Split.TRAIN, 64);
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        String loud, quiet;
        try {
            System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            try (Trainer t = tiny(Optimizer.adam()).build()) { t.fit(data, null, 1, 32); }
            loud = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
            captured.reset();
            try (Trainer t = tiny(Optimizer.adam()).verbose(false).build()) { t.fit(data, null, 1, 32); }
            quiet = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        } finally {
            System.setOut(stdout);
        }
        assertTrue(java.util.regex.Pattern.compile("(?m)^Epoch 1/1 - \\S+ - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4} - lr: 1\\.0e-03$").matcher(loud).find(), loud);
        assertEquals("", quiet);
    }

    @Test
    void interruptAbandonsTheRunningEpochAndFitReturnsTheCompletedOnes() {
        Dataset data = TrainFixtures.mnist(Split.TRAIN, 128);
        Trainer[] self = new Trainer[1];
        List<String> events = new ArrayList<>();
        ProgressListener stopInEpoch2 = new ProgressListener() {
            private boolean done;
            @Override public void onBatchEnd(BatchProgress p) {
                if (!done && p.epoch() == 1 && p.step() == 2) { done = true; self[0].interrupt(); }
            }
            @Override public void onEpochEnd(EpochLogs logs, int total) { events.add("end " + (logs.epoch() + 1)); }
            @Override public void onInterrupted(int epoch, int total) { events.add("interrupted in " + (epoch + 1) + " of " + total); }
        };
        try (Trainer t = tiny(Optimizer.adam()).progress(stopInEpoch2).build()) {
            self[0] = t;
            History h = t.fit(data, data, 5, 32);
            assertTrue(t.wasInterrupted());
            assertEquals(1, h.size(), "only epoch 1 completed");
            assertEquals(1, t.epochsCompleted());
            assertEquals(List.of("end 1", "interrupted in 2 of 5"), events);
            assertEquals(4 + 2, t.compiledModel().steps(), "4 steps of epoch 1, then the 2 of epoch 2 before the stop");
            // The request is spent: the next fit runs to its end.
            h = t.fit(data, null, 2, 32);
            assertFalse(t.wasInterrupted());
            assertEquals(2, h.size());
        }
    }

    @Test
    void theLastPartialBatchIsTrainedAndReported() {
        Dataset hundred = train.head(100);
        List<BatchProgress> seen = new ArrayList<>();
        try (Trainer t = tiny(Optimizer.sgd()).progress(new ProgressListener() {
            @Override public void onBatchEnd(BatchProgress p) { seen.add(p); }
        }).build()) {
            History h = t.fit(hundred, null, 1, 32);
            assertEquals(4, t.compiledModel().steps(), "ceil(100 / 32) optimizer steps");
            assertEquals(List.of(1, 2, 3, 4), seen.stream().map(BatchProgress::step).toList());
            assertEquals(List.of(32L, 64L, 96L, 100L), seen.stream().map(BatchProgress::samples).toList());
            assertTrue(seen.stream().allMatch(p -> p.stepsPerEpoch() == 4 && p.imagesPerSecond() > 0));
            assertEquals(0, seen.get(3).etaSeconds());
            assertEquals(seen.get(3).loss(), h.last().get("loss"), 1e-12, "the epoch's loss is the sample-weighted running mean");
            assertEquals(seen.get(3).accuracy(), h.last().get("accuracy"));
        }
    }

    @Test
    void sameSeedsGiveTheSameRunAndACustomLoopMatchesFit() {
        Map<String, float[]> a, b, custom;
        try (Trainer t = tiny(Optimizer.sgd(0.05, 0.9, false)).build(); BatchPipeline p = new BatchPipeline(train, PipelineOptions.training(64, 9))) {
            t.fit(p, null, 2);
            a = t.compiledModel().parameters();
        }
        try (Trainer t = tiny(Optimizer.sgd(0.05, 0.9, false)).build(); BatchPipeline p = new BatchPipeline(train, PipelineOptions.training(64, 9))) {
            t.fit(p, null, 2);
            b = t.compiledModel().parameters();
        }
        // The Keras GradientTape-style loop: the same batches through trainStep.
        try (Trainer t = tiny(Optimizer.sgd(0.05, 0.9, false)).build(); BatchPipeline p = new BatchPipeline(train, PipelineOptions.training(64, 9))) {
            for (int epoch = 0; epoch < 2; epoch++) {
                try (BatchIterator it = p.epoch(epoch)) {
                    while (it.hasNext()) {
                        Metrics m = t.trainStep(it.next());
                        assertTrue(Double.isFinite(m.loss()) && m.accuracy() >= 0 && m.accuracy() <= 1);
                    }
                }
            }
            custom = t.compiledModel().parameters();
        }
        assertEquals(0f, TrainFixtures.maxDiff(a, b), "two runs with the same seeds");
        assertEquals(0f, TrainFixtures.maxDiff(a, custom), "custom loop vs fit");
    }

    @Test
    void oneHotLabelsTrainLikeSparseOnes() {
        Map<String, float[]> sparse, oneHot;
        try (Trainer t = tiny(Optimizer.adam()).build()) {
            t.fit(train.head(128), null, 1, 32);
            sparse = t.compiledModel().parameters();
        }
        try (Trainer t = tiny(Optimizer.adam()).labels(Labels.ONE_HOT).build()) {
            t.fit(train.head(128), null, 1, 32);
            oneHot = t.compiledModel().parameters();
        }
        assertTrue(TrainFixtures.maxDiff(sparse, oneHot) < 1e-5f, "same cross-entropy either way: " + TrainFixtures.maxDiff(sparse, oneHot));
        try (Trainer t = tiny(Optimizer.adam()).labels(Labels.ONE_HOT).build();
             BatchPipeline p = new BatchPipeline(train, PipelineOptions.training(32, 1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.fit(p, null, 1));
            assertEquals("the trainer uses one-hot labels but the training pipeline does not make them; build it with "
                    + "PipelineOptions.withOneHot(true)", e.getMessage());
        }
    }

    @Test
    void aNonFiniteLossStopsAtOnceAndLeavesTheLastCheckpoint(@TempDir Path dir) throws IOException {
        try (Trainer t = tiny(Optimizer.sgd(0.01, 0, false)).runDirectory(dir).build()) {
            t.fit(train.head(128), null, 1, 32);
            byte[] tensors = Files.readAllBytes(dir.resolve("checkpoint.safetensors"));
            byte[] sidecar = Files.readAllBytes(dir.resolve("checkpoint.json"));
            t.setLearningRate(1e30);
            TrainingException e = assertThrows(TrainingException.class, () -> t.fit(train.head(128), null, 3, 32));
            assertEquals(1, e.epoch());
            assertTrue(e.step() >= 2 && e.step() <= 4, "the first step of epoch 2 still uses finite weights: step " + e.step());
            assertTrue(e.getMessage().matches("the loss became (NaN|infinite) at epoch 2/3, step " + e.step() + "/4 \\(learning rate 1\\.000e\\+30\\); "
                    + "training stopped and this step's update was not applied; the last checkpoint in .* \\(after epoch 1\\) is untouched\\. "
                    + "Lower the learning rate or check the data\\. TrainerBuilder\\.diagnoseNonFinite\\(true\\) finds the first op "
                    + "whose output is not finite\\."), e.getMessage());
            assertArrayEquals(tensors, Files.readAllBytes(dir.resolve("checkpoint.safetensors")));
            assertArrayEquals(sidecar, Files.readAllBytes(dir.resolve("checkpoint.json")));
            assertEquals(1, Checkpoint.load(dir).progress().epochsCompleted());
        }
    }

    @Test
    void diagnoseNonFiniteNamesTheFirstOpWhoseOutputIsNotFinite() {
        try (Trainer t = tiny(Optimizer.sgd(0.01, 0, false)).diagnoseNonFinite(true).build()) {
            t.fit(train.head(128), null, 1, 32);
            Map<String, float[]> before = t.compiledModel().parameters();
            long steps = t.compiledModel().steps();
            t.setLearningRate(1e30);
            TrainingException e = assertThrows(TrainingException.class, () -> t.fit(train.head(128), null, 3, 32));
            assertNull(e.hint(), e.getMessage());
            assertTrue(e.getMessage().matches("the loss became .* Lower the learning rate or check the data\\. The first op whose output "
                    + "is not finite: #\\d+ \\w+ → \\S+ \\(f32, layer \\S+\\): \\d+ NaN, \\d+ Inf of \\d+; its inputs were finite\\."),
                    e.getMessage());
            assertEquals(steps + e.step() - 1, t.compiledModel().steps(), "the diverging step applied no update");
            assertTrue(TrainFixtures.maxDiff(before, t.compiledModel().parameters()) > 0, "the steps before it did");
        }
    }

    @Test
    void modelCheckpointKeepsTheBestEpochByValidationAccuracy(@TempDir Path dir) throws IOException {
        try (Trainer t = tiny(Optimizer.adam(3e-3, 0.9, 0.999, 1e-7)).runDirectory(dir).build()) {
            ModelCheckpoint best = ModelCheckpoint.bestValAccuracy(null);
            History h = t.fit(train.head(256), test, 3, 64, best);
            double[] acc = h.series("val_accuracy");
            int argmax = 0;
            for (int i = 1; i < acc.length; i++) if (acc[i] > acc[argmax]) argmax = i;
            assertEquals(argmax, best.bestEpoch());
            Checkpoint c = Checkpoint.load(dir, Checkpoint.BEST);
            assertEquals(argmax + 1, c.progress().epochsCompleted());
            assertEquals(acc[argmax], c.progress().history().last().get("val_accuracy"));
            assertEquals(3, Checkpoint.load(dir).progress().epochsCompleted(), "the per-epoch checkpoint is separate");
            @SuppressWarnings("unchecked") Map<String, Object> state = (Map<String, Object>) c.progress().callbacks().get("model_checkpoint/val_accuracy");
            assertEquals(acc[argmax], (Double) state.get("best"));
        }
    }

    @Test
    void anInferenceOnlyTrainerRefusesToTrain() {
        try (Trainer t = Trainer.builder(TrainFixtures.tinyCnn("tiny", 8), cpu, null).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.fit(train.head(32), null, 1, 32));
            assertEquals("this trainer of model 'tiny' was built without an optimizer (inference only)", e.getMessage());
            assertEquals(32, t.evaluate(train.head(32), 16).samples());
        }
    }

    @Test
    void weightDecayMustBeNonNegativeAndFiniteAndReachesTheCompiledModel() {
        for (double bad : new double[] {-5e-4, Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tiny(Optimizer.sgd()).weightDecay(bad));
            assertEquals("weight decay must be >= 0 and finite, got " + bad, e.getMessage());
        }
        try (Trainer t = tiny(Optimizer.adam()).weightDecay(5e-4).build(); Trainer plain = tiny(Optimizer.adam()).build()) {
            assertEquals(5e-4, t.compiledModel().weightDecay());
            assertEquals(0.0, plain.compiledModel().weightDecay());
        }
    }

    @Test
    void dataOfAnotherShapeIsRejected() {
        Dataset other = new Dataset("toy", Split.TRAIN, new float[2 * 3 * 28 * 28], new int[2], 3, 28, 28, 10, Dataset.numberedNames(10));
        try (Trainer t = tiny(Optimizer.sgd()).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.fit(other, null, 1, 2));
            assertEquals("the training data toy/train: 2 x (3, 28, 28), 10 classes has images of shape (3, 28, 28) but model 'tiny' takes "
                    + "(1, 28, 28)", e.getMessage());
        }
    }
}
