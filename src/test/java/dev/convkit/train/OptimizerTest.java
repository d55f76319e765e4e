package dev.convkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convkit.ops.AdamUpdate;
import dev.convkit.ops.EmaUpdate;
import dev.convkit.ops.RmsPropUpdate;
import dev.convkit.ops.SgdUpdate;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizerTest {
    @Test
    void kerasDefaults() {
        assertEquals(0.01, Optimizer.sgd().learningRate());
        assertEquals(new SgdUpdate(0f, false), Optimizer.sgd().updateOp());
        assertEquals(1e-3, Optimizer.adam().learningRate());
        assertEquals(AdamUpdate.kerasDefaults(), Optimizer.adam().updateOp());
        assertEquals(1e-3, Optimizer.rmsprop().learningRate());
        assertEquals(RmsPropUpdate.kerasDefaults(), Optimizer.rmsprop().updateOp());
    }

    @Test
    void hyperParametersReachTheUpdateOp() {
        assertEquals(new SgdUpdate(0.9f, true), Optimizer.sgd(0.1, 0.9, true).updateOp());
        assertEquals(new AdamUpdate(0.8f, 0.99f, 1e-6f), Optimizer.adam(2e-3, 0.8, 0.99, 1e-6).updateOp());
        assertEquals(new RmsPropUpdate(0.95f, 1e-5f), Optimizer.rmsprop(1e-2, 0.95, 1e-5).updateOp());
        assertEquals("sgd(lr=0.1, momentum=0.9, nesterov=true)", Optimizer.sgd(0.1, 0.9, true).toString());
    }

    @Test
    void byNameIsCaseInsensitiveAndListsValidNames() {
        assertEquals(Optimizer.adam(), Optimizer.byName("Adam"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizer.byName("adamw"));
        assertEquals("unknown optimizer 'adamw'; valid optimizers: sgd, adam, rmsprop", e.getMessage());
    }

    @Test
    void rebuildsFromStoredNameAndHyperParameters() {
        Optimizer o = Optimizer.sgd(0.05, 0.9, true);
        assertEquals(o, Optimizer.of(o.name(), o.learningRate(), o.hyperParameters()));
        assertEquals(Optimizer.adam(0.002, 0.9, 0.999, 1e-7), Optimizer.of("adam", 0.002, Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizer.of("adam", 1e-3, Map.of("rho", 0.9)));
        assertEquals("optimizer 'adam' has no hyper-parameter 'rho'; it has [beta1, beta2, epsilon]", e.getMessage());
    }

    @Test
    void invalidValuesAreRejected() {
        assertEquals("sgd: momentum must be in [0, 1), got 1.5",
                assertThrows(IllegalArgumentException.class, () -> Optimizer.sgd(0.1, 1.5, false)).getMessage());
        assertEquals("adam: learning rate must be a positive finite number, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> Optimizer.adam(-1, 0.9, 0.999, 1e-7)).getMessage());
    }

    @Test
    void theMovingAverageIsPartOfTheOptimizerAsInKeras() {
        Optimizer plain = Optimizer.sgd(0.1, 0.9, true), averaged = plain.withEma(0.999);
        assertEquals(0, plain.emaMomentum());
        assertNull(plain.emaOp());
        assertEquals(new EmaUpdate(0.999f), averaged.emaOp());
        assertEquals("sgd(lr=0.1, momentum=0.9, nesterov=true, ema_momentum=0.999)", averaged.toString());
        assertNotEquals(plain, averaged, "a checkpoint of one cannot resume with the other");
        assertEquals(averaged, averaged.withLearningRate(0.5).withLearningRate(0.1), "kept by withLearningRate");
        assertEquals(averaged, Optimizer.of("sgd", 0.1, plain.hyperParameters(), 0.999));
        assertEquals(plain, averaged.withEma(0));
        for (double bad : new double[] {-0.1, 1, Double.NaN}) {
            assertEquals("adam: ema_momentum must be in [0, 1) (0: no moving average of the weights), got " + bad,
                    assertThrows(IllegalArgumentException.class, () -> Optimizer.adam().withEma(bad)).getMessage());
        }
    }

    @Test
    void theAveragesDecayIsCappedEarlyAsTensorFlowsNumUpdates() {
        EmaUpdate op = new EmaUpdate(0.999f);
        assertEquals(2f / 11, op.decay(1));                 // (1 + t) / (10 + t)
        assertEquals(0.5f, op.decay(8));
        assertEquals((float) (8990.0 / 8999), op.decay(8989));
        assertEquals(0.999f, op.decay(8991), "from t = (10·m − 1) / (1 − m) = 8,990 on, the momentum itself");
        assertEquals(0.999f, op.decay(1e6f));
        assertEquals(0.25f, new EmaUpdate(0.25f).decay(3), "a momentum below the cap (4/13) applies");
        java.nio.FloatBuffer average = java.nio.FloatBuffer.wrap(new float[] {1, -2, 4}), value = java.nio.FloatBuffer.wrap(new float[] {3, 2, 4});
        new EmaUpdate(0.75f).update(average, value, 100, 0, 2);
        assertEquals(1.5f, average.get(0));                  // 0.75·1 + 0.25·3
        assertEquals(-1f, average.get(1));                   // 0.75·(−2) + 0.25·2
        assertEquals(4f, average.get(2), "outside [from, to): untouched");
        assertEquals("ema_update: momentum must be in [0, 1), got 1.0",
                assertThrows(IllegalArgumentException.class, () -> new EmaUpdate(1f)).getMessage());
    }
}
