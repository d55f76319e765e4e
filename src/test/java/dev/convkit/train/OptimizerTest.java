package dev.convkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convkit.ops.AdamUpdate;
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
}
