package dev.convkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.backend.Backend;
import dev.convkit.data.Batch;
import dev.convkit.data.BatchIterator;
import dev.convkit.data.BatchPipeline;
import dev.convkit.data.Dataset;
import dev.convkit.data.PipelineOptions;
import dev.convkit.data.Split;
import dev.convkit.io.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The moving average of the weights ({@link Optimizer#withEma}) on the cpu engine, with the tiny MNIST CNN (conv, BN
 * with moving statistics, dropout, dense with L2): the engine's average against the definition applied on the host to
 * the live weights after every step; training itself unchanged by it; evaluation, prediction and checkpoints on the
 * average; resuming continues live weights and average exactly.
 */
class WeightAverageTest {
    private static final double MOMENTUM = 0.8;   // low, so that a few steps move the average well away from the start
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

    private static Trainer trainer(Optimizer opt, Path dir) {
        return Trainer.builder(TrainFixtures.tinyCnn("tiny", 4), cpu, opt).runDirectory(dir).seed(3).verbose(false).build();
    }

    private static final Optimizer SGD = Optimizer.sgd(0.1, 0.9, true);

    @Test
    void theEnginesAverageFollowsTheDefinitionAndTrainingIsUnchanged() {
        try (Trainer averaged = trainer(SGD.withEma(MOMENTUM), null); Trainer plain = trainer(SGD, null);
             BatchPipeline p = new BatchPipeline(train, PipelineOptions.training(48, 7))) {
            Map<String, double[]> expected = widen(averaged.compiledModel().parameters());
            assertEquals(0f, TrainFixtures.maxDiff(averaged.compiledModel().parameters(), averaged.compiledModel().averagedParameters()),
                    "the average starts as the initial weights");
            int t = 0;
            try (BatchIterator it = p.epoch(0)) {
                while (it.hasNext()) {
                    Batch b = it.next();
                    averaged.trainStep(b);
                    plain.trainStep(b);
                    t++;
                    double d = Math.min(MOMENTUM, (1.0 + t) / (10.0 + t));
                    for (Map.Entry<String, float[]> e : averaged.compiledModel().parameters().entrySet()) {
                        double[] a = expected.get(e.getKey());
                        for (int i = 0; i < a.length; i++) a[i] = d * a[i] + (1 - d) * e.getValue()[i];
                    }
                }
            }
            assertEquals(5, t);
            assertEquals(0f, TrainFixtures.maxDiff(plain.compiledModel().parameters(), averaged.compiledModel().parameters()),
                    "the live weights are those of training without an average");
            Map<String, float[]> engine = averaged.compiledModel().averagedParameters();
            float moved = TrainFixtures.maxDiff(averaged.compiledModel().parameters(), engine);
            assertTrue(moved > 1e-3, "the average lags the live weights, by " + moved);
            for (Map.Entry<String, double[]> e : expected.entrySet()) {
                float[] got = engine.get(e.getKey());
                for (int i = 0; i < got.length; i++) {
                    assertEquals(e.getValue()[i], got[i], 1e-6 * (1 + Math.abs(e.getValue()[i])), e.getKey() + "[" + i + "]");
                }
            }
            assertTrue(maxAbs(engine.get("bn/moving_mean")) > 0, "BN statistics are averaged too, starting from zero means");
        }
    }

    @Test
    void evaluationPredictionAndCheckpointsUseTheAverage() {
        try (Trainer averaged = trainer(SGD.withEma(MOMENTUM), null); Trainer reference = trainer(SGD, null);
             BatchPipeline p = new BatchPipeline(train, PipelineOptions.training(48, 7));
             BatchPipeline v = new BatchPipeline(val, PipelineOptions.evaluation(32))) {
            averaged.fit(p, null, 1);
            Map<String, float[]> average = averaged.compiledModel().averagedParameters();
            reference.compiledModel().loadParameters(average);
            Metrics onAverage = averaged.evaluate(v);
            assertEquals(reference.evaluate(v).loss(), onAverage.loss(), 0, "val_loss, L2 penalty included, of the average");
            assertEquals(reference.evaluate(v).accuracy(), onAverage.accuracy(), 0);
            assertArrayEquals(reference.predict(v), averaged.predict(v));
            reference.compiledModel().loadParameters(averaged.compiledModel().parameters());
            assertTrue(Math.abs(reference.evaluate(v).loss() - onAverage.loss()) > 1e-4, "the live weights evaluate differently");

            Checkpoint c = averaged.checkpoint();
            assertEquals(0f, TrainFixtures.maxDiff(average, floats(c.parameters())), "parameters: the average");
            assertEquals(0f, TrainFixtures.maxDiff(averaged.compiledModel().parameters(), floats(c.liveParameters())), "live: training's");
            try (Trainer inference = Trainer.builder(TrainFixtures.tinyCnn("tiny", 4), cpu, null).verbose(false).build()) {
                inference.loadWeights(c);
                assertEquals(onAverage.loss(), inference.evaluate(v).loss(), 0, "an inference trainer loading the checkpoint");
            }
        }
    }

    @Test
    void resumingContinuesTheLiveWeightsAndTheAverageExactly(@TempDir Path straight, @TempDir Path split) throws IOException {
        Optimizer opt = SGD.withEma(MOMENTUM);
        Map<String, float[]> live, average;
        History history;
        try (Trainer a = trainer(opt, straight); BatchPipeline p = new BatchPipeline(train, PipelineOptions.training(48, 7));
             BatchPipeline v = new BatchPipeline(val, PipelineOptions.evaluation(64))) {
            history = a.fit(p, v, 3);
            live = a.compiledModel().parameters();
            average = a.compiledModel().averagedParameters();
        }
        try (Trainer b = trainer(opt, split); BatchPipeline p = new BatchPipeline(train, PipelineOptions.training(48, 7))) {
            b.fit(p, null, 1);
        }
        String sidecar = Files.readString(split.resolve(Checkpoint.LATEST + ".json"));
        assertTrue(sidecar.contains("\"ema_momentum\": 0.8"), sidecar);
        try (Trainer plain = trainer(SGD, split)) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> plain.resume(split));
            assertTrue(e.getMessage().startsWith("the checkpoint was trained with sgd(lr=0.1, momentum=0.9, nesterov=true, ema_momentum=0.8) "
                    + "but the trainer uses sgd(lr=0.1, momentum=0.9, nesterov=true)"), e.getMessage());
        }
        try (Trainer c = trainer(opt, split); BatchPipeline p = new BatchPipeline(train, PipelineOptions.training(48, 7));
             BatchPipeline v = new BatchPipeline(val, PipelineOptions.evaluation(64))) {
            c.resume(split);
            History h = c.fit(p, v, 3);
            assertEquals(0f, TrainFixtures.maxDiff(live, c.compiledModel().parameters()), "live weights");
            assertEquals(0f, TrainFixtures.maxDiff(average, c.compiledModel().averagedParameters()), "average");
            for (String key : List.of("val_loss", "val_accuracy")) {
                assertEquals(history.series(key)[2], h.series(key)[2], 0, key + " of the last epoch");
            }
        }
    }

    @Test
    void aCheckpointWhoseAverageAndLiveWeightsDisagreeIsRefused() {
        try (Trainer averaged = trainer(SGD.withEma(MOMENTUM), null)) {
            Checkpoint c = averaged.checkpoint();
            CheckpointException e = assertThrows(CheckpointException.class, () -> new Checkpoint(c.modelName(), c.modelConfig(), c.runInfo(),
                    c.optimizer(), c.engine(), c.progress(), c.parameters(), c.optimizerSlots()));
            assertEquals("checkpoint of tiny: its optimizer sgd(lr=0.1, momentum=0.9, nesterov=true, ema_momentum=0.8) keeps a moving "
                    + "average of the weights, so the checkpoint needs the live weights under 'live/' for every parameter; found 0 of 8",
                    e.getMessage());
            e = assertThrows(CheckpointException.class, () -> new Checkpoint(c.modelName(), c.modelConfig(), c.runInfo(), SGD, c.engine(),
                    c.progress(), c.parameters(), c.optimizerSlots(), c.liveParameters()));
            assertEquals("checkpoint of tiny: it holds live weights under 'live/' but its optimizer sgd(lr=0.1, momentum=0.9, nesterov=true) "
                    + "keeps no moving average", e.getMessage());
        }
    }

    private static Map<String, double[]> widen(Map<String, float[]> m) {
        Map<String, double[]> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            double[] d = new double[v.length];
            for (int i = 0; i < v.length; i++) d[i] = v[i];
            out.put(k, d);
        });
        return out;
    }

    private static Map<String, float[]> floats(Map<String, HostTensor> m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.data()));
        return out;
    }

    private static float maxAbs(float[] v) {
        float m = 0;
        for (float x : v) m = Math.max(m, Math.abs(x));
        return m;
    }
}
