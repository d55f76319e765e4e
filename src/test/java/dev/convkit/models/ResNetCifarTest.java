package dev.convkit.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.graph.Initializer;
import dev.convkit.graph.Model;
import dev.convkit.graph.ParamKind;
import dev.convkit.graph.ParamSpec;
import dev.convkit.layers.Conv2D;
import dev.convkit.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResNetCifarTest {

    private static Shape out(Model m, String layer) { return m.layer(layer).node().outputs().get(0).shape(); }

    @Test void summaryEndsWithTheKerasTotals() {
        String[] lines = ModelRegistry.create("resnet20v1").summary().split("\n");
        int n = lines.length;
        assertEquals("Total params: 274,442", lines[n - 3]);
        assertEquals("Trainable params: 273,066", lines[n - 2]);
        assertEquals("Non-trainable params: 1,376", lines[n - 1]);
    }

    @Test void resnet20v1ParamNamesAreStructural() {
        Model m = ModelRegistry.create("resnet20v1");
        List<String> names = new ArrayList<>(m.params().keySet());
        assertEquals(List.of(
                "stem/conv/kernel", "stem/conv/bias",
                "stem/bn/gamma", "stem/bn/beta", "stem/bn/moving_mean", "stem/bn/moving_variance",
                "stage1/block1/conv1/kernel", "stage1/block1/conv1/bias",
                "stage1/block1/bn1/gamma", "stage1/block1/bn1/beta", "stage1/block1/bn1/moving_mean",
                "stage1/block1/bn1/moving_variance",
                "stage1/block1/conv2/kernel", "stage1/block1/conv2/bias"), names.subList(0, 14));
        assertEquals(List.of("head/dense/kernel", "head/dense/bias"), names.subList(names.size() - 2, names.size()));
        assertTrue(names.contains("stage2/block1/shortcut/kernel"));
        assertTrue(names.contains("stage3/block1/shortcut/bias"));
        assertFalse(names.contains("stage1/block1/shortcut/kernel"), "stage 1 keeps identity shortcuts");
        assertFalse(names.contains("stage2/block2/shortcut/kernel"));
        // 1 stem conv + 18 block convs + 2 projections + dense = 22 weighted layers, 19 BNs.
        assertEquals(22 * 2 + 19 * 4, names.size());
        assertEquals(Shape.of(64, 10), m.params().get("head/dense/kernel").shape());
    }

    @Test void v1FollowsTheKerasExample() {
        Model m = ResNetCifar.v1(20, Shape.of(3, 32, 32), 10);
        assertEquals(Shape.of(16, 32, 32), out(m, "stage1/block3/relu"));
        assertEquals(Shape.of(32, 16, 16), out(m, "stage2/block1/shortcut"));
        assertEquals(Shape.of(64, 8, 8), out(m, "stage3/block3/relu"));
        assertEquals(Shape.of(64, 1, 1), out(m, "head/avg_pool"));
        for (Map.Entry<String, ParamSpec> e : m.params().entrySet()) {
            ParamSpec p = e.getValue();
            if (p.kind() != ParamKind.KERNEL) continue;
            assertEquals(Initializer.HE_NORMAL, p.init(), e.getKey());
            assertEquals(e.getKey().startsWith("head/") ? 0f : 1e-4f, p.l2(), e.getKey());
        }
        assertTrue(((Conv2D) m.layer("stage2/block1/conv1")).useBias());
        assertEquals(Shape.of(32, 16, 1, 1), m.params().get("stage2/block1/shortcut/kernel").shape());
        // The stride-2 3x3 conv on 32x32 pads like TensorFlow: 0 before, 1 after.
        var w = ((Conv2D) m.layer("stage2/block1/conv1")).window(Shape.of(16, 32, 32));
        assertEquals(List.of(0, 1), List.of(w.padTop(), w.padBottom()));
    }

    @Test void v2IsAPreActivationBottleneck() {
        Model m = ResNetCifar.v2(29, Shape.of(3, 32, 32), 10);
        List<String> layers = m.nodes().stream().map(n -> n.layer().name()).toList();
        assertFalse(layers.contains("stage1/block1/bn1"), "the first unit skips its pre-activation");
        assertTrue(layers.contains("stage1/block2/bn1"));
        assertTrue(layers.contains("stage2/block1/bn1"));
        assertEquals(Shape.of(64, 32, 32), out(m, "stage1/block1/add"));
        assertEquals(Shape.of(64, 16, 16), out(m, "stage2/block1/conv1"));   // 1x1 stride 2 in the first conv
        assertEquals(Shape.of(128, 16, 16), out(m, "stage2/block3/add"));
        assertEquals(Shape.of(256, 8, 8), out(m, "stage3/block3/add"));
        assertEquals(Shape.of(256, 1, 1), out(m, "head/avg_pool"));
        assertEquals(Shape.of(64, 16, 1, 1), m.params().get("stage1/block1/shortcut/kernel").shape());
        assertFalse(m.params().containsKey("stage1/block2/shortcut/kernel"));
        assertTrue(layers.contains("head/bn") && layers.contains("head/relu"));
        assertEquals(100, m.nodes().size());
    }
}
