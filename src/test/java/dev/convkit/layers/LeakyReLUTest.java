package dev.convkit.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.graph.Input;
import dev.convkit.graph.Model;
import dev.convkit.graph.Program;
import dev.convkit.graph.ProgramBuilder;
import dev.convkit.graph.ProgramBuilder.Labels;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.ops.LeakyRelu;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The LeakyReLU layer: Keras defaults, and its op lowered whole or as its decomposition, as the engine asks. */
class LeakyReLUTest {

    private static Model model(LeakyReLU layer) {
        SymbolicTensor image = Input.of("image", 2, 3, 3);
        SymbolicTensor x = layer.apply(new Conv2D("conv", 4, 3).apply(image));
        return new Model("leaky", image, new Dense("logits", 3).apply(new Flatten("flat").apply(x)));
    }

    private static List<String> opNames(Program p) { return p.instrs().stream().map(i -> i.op().name()).toList(); }

    @Test void kerasDefaultsAndNoParameters() {
        LeakyReLU layer = new LeakyReLU();
        assertEquals(0.3f, layer.negativeSlope());
        Model m = model(layer);
        assertTrue(layer.name().startsWith("leaky_re_lu"), "Keras's automatic name: " + layer.name());
        assertEquals(2 * 4 * 9 + 4 + 4 * 3 + 3, m.summary().lines().filter(l -> l.startsWith("Total params")).findFirst()
                .map(l -> Integer.parseInt(l.replaceAll("[^0-9]", ""))).orElseThrow());
    }

    @Test void anEngineWithoutADedicatedKernelGetsTheDecomposition() {
        List<String> ops = opNames(ProgramBuilder.training(model(new LeakyReLU("act", 0.1f)), 2, Labels.SPARSE));
        assertTrue(!ops.contains("leaky_relu") && !ops.contains("leaky_relu_bwd"), ops.toString());
        // forward: relu(x), scale(-1), relu, scale(-0.1), add — the conv has no activation of its own
        assertEquals(2, ops.stream().filter("relu"::equals).count(), ops.toString());
        assertEquals(2, ops.stream().filter("relu_bwd"::equals).count(), "autodiff of the decomposition: " + ops);
    }

    @Test void anEngineThatClaimsTheOpGetsItWhole() {
        Program p = ProgramBuilder.training(model(new LeakyReLU("act", 0.1f)), 2, Labels.SPARSE,
                op -> op instanceof LeakyRelu || op instanceof LeakyRelu.Bwd);
        List<String> ops = opNames(p);
        assertEquals(1, ops.stream().filter("leaky_relu"::equals).count(), ops.toString());
        assertEquals(1, ops.stream().filter("leaky_relu_bwd"::equals).count(), ops.toString());
        assertTrue(!ops.contains("relu") && !ops.contains("scale"), ops.toString());
        assertEquals(new LeakyRelu(0.1f), p.instrs().stream().filter(i -> i.op() instanceof LeakyRelu).findFirst().orElseThrow().op());
    }

    @Test void rejectsANonFiniteSlope() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LeakyReLU("act", Float.NaN));
        assertEquals("LeakyReLU 'act': negative_slope must be finite, got NaN", e.getMessage());
    }
}
