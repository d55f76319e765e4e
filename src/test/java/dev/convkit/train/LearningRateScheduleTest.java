package dev.convkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.train.LearningRateSchedule.Position;
import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
    private static final double BASE = 1e-3;

    private static void close(double expected, double actual, String what) {
        assertEquals(expected, actual, Math.abs(expected) * 1e-12 + 1e-300, what);
    }

    @Test
    void kerasStepScheduleAtItsBoundaries() {
        LearningRateSchedule s = LearningRateSchedule.kerasResNetSteps();
        assertFalse(s.perStep());
        int[] epochs = {0, 80, 81, 120, 121, 160, 161, 180, 181, 199};
        double[] expected = {1e-3, 1e-3, 1e-4, 1e-4, 1e-5, 1e-5, 1e-6, 1e-6, 0.5e-6, 0.5e-6};
        for (int i = 0; i < epochs.length; i++) {
            close(expected[i], s.rate(BASE, 123.0, new Position(epochs[i], 0, 391)), "epoch " + epochs[i]);
        }
        // scaled from the base rate, not fixed at 1e-3
        close(0.1 * 1e-2, s.rate(0.1, 0.1, new Position(121, 0, 10)), "base 0.1 after epoch 120");
    }

    @Test
    void byNameWithWarmupDecaysOverTheRemainingEpochs() {
        LearningRateSchedule s = LearningRateSchedule.byName("cosine", 10, 2);
        assertEquals(BASE / 20, s.rate(BASE, BASE, new Position(0, 0, 10)), 1e-15);       // step 1 of 20 warm-up steps
        assertEquals(BASE, s.rate(BASE, BASE, new Position(2, 0, 10)), 1e-15);            // end of warm-up: the peak
        assertEquals(BASE / 2, s.rate(BASE, BASE, new Position(6, 0, 10)), 1e-12);       // half of the 8 decay epochs
        assertEquals(0, s.rate(BASE, BASE, new Position(9, 9, 10)), BASE * 1e-3);
        LearningRateSchedule c = LearningRateSchedule.byName("constant", 10, 1);
        assertEquals(BASE / 10, c.rate(BASE, BASE, new Position(0, 0, 10)), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.byName("onecycle", 10, 1));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.byName("cosine", 10, 10));
    }

    @Test
    void constantKeepsTheCurrentRate() {
        LearningRateSchedule s = LearningRateSchedule.constant();
        assertEquals(0.0003, s.rate(BASE, 0.0003, new Position(7, 3, 10)));
        assertFalse(s.perStep());
    }

    @Test
    void cosineDecayWithoutWarmup() {
        LearningRateSchedule s = LearningRateSchedule.cosine(10, 0, 0);   // 100 steps at 10 per epoch
        assertTrue(s.perStep());
        close(BASE, s.rate(BASE, 0, new Position(0, 0, 10)), "start");
        close(BASE * (1 + Math.cos(Math.PI / 4)) / 2, s.rate(BASE, 0, new Position(2, 5, 10)), "quarter");
        close(BASE / 2, s.rate(BASE, 0, new Position(5, 0, 10)), "half");
        assertEquals(0, s.rate(BASE, 0, new Position(10, 0, 10)), 1e-20, "end");
        assertEquals(0, s.rate(BASE, 0, new Position(12, 4, 10)), 1e-20, "after the end it stays at alpha");
        close(0.1 * BASE, LearningRateSchedule.cosine(10, 0.1, 0).rate(BASE, 0, new Position(11, 0, 10)), "alpha floor");
    }

    @Test
    void cosineDecayWithWarmup() {
        LearningRateSchedule s = LearningRateSchedule.cosine(10, 0, 1);  // 10 warm-up steps, then 100 decay steps
        close(BASE / 10, s.rate(BASE, 0, new Position(0, 0, 10)), "first warm-up step");
        close(BASE / 2, s.rate(BASE, 0, new Position(0, 4, 10)), "fifth warm-up step");
        close(BASE, s.rate(BASE, 0, new Position(0, 9, 10)), "last warm-up step");
        close(BASE, s.rate(BASE, 0, new Position(1, 0, 10)), "decay starts at base");
        close(BASE / 2, s.rate(BASE, 0, new Position(6, 0, 10)), "half-way through the decay");
    }

    @Test
    void linearWarmupThenConstantLeavesCallbacksInCharge() {
        LearningRateSchedule s = LearningRateSchedule.linearWarmup(2, LearningRateSchedule.constant());  // 10 steps at 5 per epoch
        close(BASE / 10, s.rate(BASE, 0, new Position(0, 0, 5)), "step 0");
        close(BASE * 0.7, s.rate(BASE, 0, new Position(1, 1, 5)), "step 6");
        close(BASE, s.rate(BASE, 0, new Position(1, 4, 5)), "step 9");
        close(BASE, s.rate(BASE, BASE, new Position(2, 0, 5)), "after warm-up: the current rate (base)");
        close(0.25 * BASE, s.rate(BASE, 0.25 * BASE, new Position(3, 2, 5)), "a callback's reduction persists");
    }

    @Test
    void linearWarmupThenStepScheduleAsksItOnlyAtEpochStarts() {
        LearningRateSchedule s = LearningRateSchedule.linearWarmup(1, LearningRateSchedule.kerasResNetSteps());
        close(BASE, s.rate(BASE, BASE / 10, new Position(1, 0, 4)), "first step after warm-up");
        close(BASE / 10, s.rate(BASE, 0.5, new Position(81, 0, 4)), "epoch 81 start");
        close(0.5, s.rate(BASE, 0.5, new Position(81, 2, 4)), "mid-epoch: unchanged");
    }

    @Test
    void oneCycleFollowsPyTorchDefaults() {
        LearningRateSchedule s = LearningRateSchedule.oneCycle(10);      // 100 steps: rise over 29, fall over 70
        double initial = BASE / 25, min = initial / 1e4;
        close(initial, s.rate(BASE, 0, new Position(0, 0, 10)), "start");
        close(BASE, s.rate(BASE, 0, new Position(2, 9, 10)), "peak at step 29");
        close(min + (BASE - min) / 2, s.rate(BASE, 0, new Position(6, 4, 10)), "half-way down at step 64");
        close(min, s.rate(BASE, 0, new Position(9, 9, 10)), "last step");
        double rising = s.rate(BASE, 0, new Position(1, 0, 10));
        assertTrue(rising > initial && rising < BASE, "step 10 is between start and peak: " + rising);
    }

    @Test
    void byNameListsValidNames() {
        assertTrue(LearningRateSchedule.byName("steps", 200) instanceof StepSchedule);
        assertTrue(LearningRateSchedule.byName("Cosine", 200) instanceof CosineDecay);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.byName("exp", 10));
        assertEquals("unknown learning-rate schedule 'exp'; valid schedules: constant, steps, cosine, onecycle", e.getMessage());
    }

    @Test
    void invalidConfigurationsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new StepSchedule(new int[] {10, 5}, new double[] {0.1, 0.01}));
        assertThrows(IllegalArgumentException.class, () -> new CosineDecay(0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new OneCycle(10, 1.5, 25, 1e4));
        assertThrows(IllegalArgumentException.class, () -> new Position(0, 0, 0));
    }
}
