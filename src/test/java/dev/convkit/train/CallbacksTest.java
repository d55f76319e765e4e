package dev.convkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CallbacksTest {

    private static double[] plateauRates(ReduceLROnPlateau cb, double[] valLoss, int restartAt) {
        ScriptedHost host = new ScriptedHost(1.0, null);
        TrainingState state = new TrainingState(host, valLoss.length, false, 1);
        cb.onTrainBegin(state);
        double[] rates = new double[valLoss.length];
        for (int e = 0; e < valLoss.length; e++) {
            if (e == restartAt) {
                // Checkpoint and resume: the state goes through JSON into a fresh callback, as Trainer.resume does.
                Map<String, Object> saved = Json.parseObject(Json.write(cb.saveState()));
                cb = new ReduceLROnPlateau(Monitor.auto("val_loss"), 0.5, 2, 0.01, 1, 0.1);
                state = new TrainingState(host, valLoss.length, true, 1);
                cb.onTrainBegin(state);
                cb.restoreState(saved);
            }
            host.endEpoch(state, cb, Map.of("val_loss", valLoss[e]));
            rates[e] = host.learningRate();
        }
        return rates;
    }

    // best → wait counting → reduction with cooldown → improvement → floor at min_lr (then no further change)
    private static final double[] SERIES = {1.0, 0.995, 0.98, 0.98, 0.99, 0.99, 0.99, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6};
    private static final double[] RATES = {1, 1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125, 0.125, 0.1, 0.1, 0.1, 0.1};

    @Test
    void reduceLrOnPlateauFollowsKerasOnAScriptedSeries() {
        ReduceLROnPlateau cb = new ReduceLROnPlateau(Monitor.auto("val_loss"), 0.5, 2, 0.01, 1, 0.1);
        assertArrayEquals(RATES, plateauRates(cb, SERIES, -1), 1e-15);
    }

    @Test
    void reduceLrOnPlateauResumesMidCooldownAsIfUninterrupted() {
        for (int restart : new int[] {3, 5, 10}) {
            ReduceLROnPlateau cb = new ReduceLROnPlateau(Monitor.auto("val_loss"), 0.5, 2, 0.01, 1, 0.1);
            assertArrayEquals(RATES, plateauRates(cb, SERIES, restart), 1e-15, "restart before epoch " + restart);
        }
    }

    @Test
    void kerasSeedPlateauReducesBySqrtPointOneAfterFiveFlatEpochs() {
        ReduceLROnPlateau cb = ReduceLROnPlateau.kerasResNet();
        ScriptedHost host = new ScriptedHost(1e-3, null);
        TrainingState state = new TrainingState(host, 20, false, 1);
        cb.onTrainBegin(state);
        host.endEpoch(state, cb, Map.of("val_loss", 1.0));
        for (int i = 0; i < 4; i++) host.endEpoch(state, cb, Map.of("val_loss", 0.99995)); // within min_delta 1e-4: no improvement
        assertEquals(1e-3, host.learningRate());
        host.endEpoch(state, cb, Map.of("val_loss", 1.2));
        assertEquals(1e-3 * Math.sqrt(0.1), host.learningRate(), 1e-18);
    }

    @Test
    void missingMonitoredMetricIsAnError() {
        ReduceLROnPlateau cb = ReduceLROnPlateau.kerasResNet();
        ScriptedHost host = new ScriptedHost(1e-3, null);
        TrainingState state = new TrainingState(host, 5, false, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> host.endEpoch(state, cb, Map.of("loss", 1.0)));
        assertEquals("ReduceLROnPlateau monitors 'val_loss', which epoch 1 does not have; available: [loss] (pass validation data to fit)",
                e.getMessage());
    }

    @Test
    void earlyStoppingStopsAfterPatienceWithoutImprovementBeyondMinDelta() {
        EarlyStopping cb = new EarlyStopping(Monitor.auto("val_accuracy"), 2, 0.01, false);
        ScriptedHost host = new ScriptedHost(1e-3, null);
        TrainingState state = new TrainingState(host, 10, false, 1);
        cb.onTrainBegin(state);
        double[] acc = {0.5, 0.6, 0.605, 0.609, 0.7};
        int e = 0;
        for (; e < acc.length && !state.stopRequested(); e++) host.endEpoch(state, cb, Map.of("val_accuracy", acc[e]));
        assertEquals(4, e, "stopped after the 4th epoch (0.605 and 0.609 are within min_delta of 0.6)");
        assertEquals(3, cb.stoppedEpoch());
        assertEquals(0.6, cb.best());
        assertEquals(1, cb.bestEpoch());
        assertTrue(state.stopReason().startsWith("EarlyStopping: val_accuracy did not improve on 0.6 (epoch 2) for 2 epochs"), state.stopReason());
    }

    @Test
    void earlyStoppingOnLossKeepsGoingWhileItImproves() {
        EarlyStopping cb = EarlyStopping.onValLoss(1);
        ScriptedHost host = new ScriptedHost(1e-3, null);
        TrainingState state = new TrainingState(host, 10, false, 1);
        cb.onTrainBegin(state);
        for (double v : new double[] {3, 2, 1.5, 1.4}) host.endEpoch(state, cb, Map.of("val_loss", v));
        assertFalse(state.stopRequested());
        host.endEpoch(state, cb, Map.of("val_loss", 1.4));  // equal is no improvement (min_delta 0): wait 1 = patience
        assertTrue(state.stopRequested());
        assertEquals(4, cb.stoppedEpoch());
    }

    @Test
    void earlyStoppingStateSurvivesAResume() {
        EarlyStopping a = new EarlyStopping(Monitor.auto("val_loss"), 3, 0, false);
        ScriptedHost host = new ScriptedHost(1e-3, null);
        TrainingState state = new TrainingState(host, 10, false, 1);
        a.onTrainBegin(state);
        for (double v : new double[] {1.0, 0.8, 0.9, 0.95}) host.endEpoch(state, a, Map.of("val_loss", v));
        EarlyStopping b = new EarlyStopping(Monitor.auto("val_loss"), 3, 0, false);
        TrainingState resumed = new TrainingState(host, 10, true, 1);
        b.onTrainBegin(resumed);
        b.restoreState(Json.parseObject(Json.write(a.saveState())));
        host.endEpoch(resumed, b, Map.of("val_loss", 0.85));
        assertTrue(resumed.stopRequested(), "third epoch without beating 0.8 stops, counting the epochs before the resume");
        assertEquals(0.8, b.best());
    }

    @Test
    void csvLoggerWritesRowsAndDropsUncheckpointedOnesOnResume(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("log.csv");
        CsvLogger log = new CsvLogger(csv);
        ScriptedHost host = new ScriptedHost(1e-3, null);
        TrainingState state = new TrainingState(host, 3, false, 1);
        log.onTrainBegin(state);
        host.endEpoch(state, log, EpochLogs.of(0, new Metrics(2.5, 0.25, 0.5, 10), new Metrics(2.0, 0.5, 0.75, 5), 1e-3, 1.25).values());
        host.endEpoch(state, log, EpochLogs.of(1, new Metrics(Double.NaN, 0.5, 1, 10), null, 1e-4, 2).values());
        assertEquals(List.of("epoch,loss,accuracy,top5_accuracy,val_loss,val_accuracy,val_top5_accuracy,lr,seconds",
                "1,2.5,0.25,0.5,2.0,0.5,0.75,0.001,1.250",
                "2,nan,0.5,1.0,,,,1.0E-4,2.000"), Files.readAllLines(csv));
        // Resume from a checkpoint taken after epoch 1: row 2 is dropped, then written again by the resumed epoch.
        host.setCompleted(1);
        TrainingState resumed = new TrainingState(host, 3, true, 1);
        new CsvLogger(csv).onTrainBegin(resumed);
        assertEquals(2, Files.readAllLines(csv).size());
        assertEquals("1,2.5,0.25,0.5,2.0,0.5,0.75,0.001,1.250", Files.readAllLines(csv).get(1));
    }

    @Test
    void historyRoundTripsThroughJsonWithNaN() {
        History h = new History();
        h.add(EpochLogs.of(0, new Metrics(Double.NaN, 0.5, 0.75, 4), null, 0.01, 3));
        h.add(EpochLogs.of(1, new Metrics(1.5, 0.625, 1, 4), new Metrics(1.75, 0.5, 1, 2), 0.001, 2.5));
        History back = History.fromJson(Json.parse(Json.write(h.toJson())));
        assertEquals(2, back.size());
        assertTrue(Double.isNaN(back.epochs().get(0).get("loss")));
        assertEquals(h.epochs().get(1).values(), back.epochs().get(1).values());
        assertArrayEquals(new double[] {Double.NaN, 1.75}, back.series("val_loss"));
        assertNull(h.epochs().get(0).values().get("val_loss"));
    }

    @Test
    void epochSummaryIsOneKerasLikeLine() {
        EpochLogs logs = EpochLogs.of(2, new Metrics(0.43215, 0.85125, 0.99, 100), new Metrics(0.5, 0.83, 0.98, 50), 1e-3, 12.44);
        assertEquals("Epoch 3/10 - 12.4s - loss: 0.4322 - accuracy: 0.8513 - top5_accuracy: 0.9900 - val_loss: 0.5000 - val_accuracy: 0.8300"
                + " - val_top5_accuracy: 0.9800 - lr: 1.0000e-03", logs.summary(10));
        BatchProgress p = new BatchProgress(0, 10, 120, 469, 3840, 0.43121, 0.871, 0.99, 1e-3, 2510.4, 67.4);
        assertEquals("120/469 - loss: 0.4312 - accuracy: 0.8710 - 2510 img/s - ETA 1:07", p.describe());
    }
}
