package dev.convkit.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convkit.graph.Model;
import dev.convkit.layers.Add;
import dev.convkit.layers.DepthwiseConv2D;
import dev.convkit.tensor.Shape;
import org.junit.jupiter.api.Test;

/** MobileNetV2's structure: Keras's feature-map sizes and layer names, and the CIFAR adaptation's strides. */
class MobileNetV2Test {

    private static Shape out(Model m, String layer) { return m.layer(layer).node().outputs().get(0).shape(); }

    @Test void imagenetModelHasKerasFeatureMapsAndNames() {
        Model m = ModelRegistry.create("mobilenet_v2");
        assertEquals(Shape.of(32, 112, 112), out(m, "Conv1_relu"));
        assertEquals(Shape.of(16, 112, 112), out(m, "expanded_conv_project_BN"));
        assertEquals(Shape.of(96, 56, 56), out(m, "block_1_depthwise"), "t 6 expands 16 to 96, then stride 2");
        assertEquals(Shape.of(24, 56, 56), out(m, "block_2_add"));
        assertEquals(Shape.of(32, 28, 28), out(m, "block_5_add"));
        assertEquals(Shape.of(64, 14, 14), out(m, "block_9_add"));
        assertEquals(Shape.of(96, 14, 14), out(m, "block_12_add"));
        assertEquals(Shape.of(160, 7, 7), out(m, "block_15_add"));
        assertEquals(Shape.of(320, 7, 7), out(m, "block_16_project_BN"));
        assertEquals(Shape.of(1280, 7, 7), out(m, "out_relu"));
        assertEquals(Shape.of(1000), out(m, "predictions"));
        assertEquals(17, m.nodes().stream().filter(n -> n.layer() instanceof DepthwiseConv2D).count());
        assertEquals(10, m.nodes().stream().filter(n -> n.layer() instanceof Add).count(), "residual adds");
        assertEquals(Shape.of(576, 1, 3, 3), m.params().get("block_13_depthwise/depthwise_kernel").shape());
    }

    @Test void cifarModelKeepsThirtyTwoPixelsThroughTheFirstStages() {
        Model m = ModelRegistry.create("mobilenet_v2_cifar");
        assertEquals(Shape.of(32, 32, 32), out(m, "Conv1_relu"));
        assertEquals(Shape.of(24, 32, 32), out(m, "block_2_add"));
        assertEquals(Shape.of(32, 16, 16), out(m, "block_5_add"));
        assertEquals(Shape.of(96, 8, 8), out(m, "block_12_add"));
        assertEquals(Shape.of(1280, 4, 4), out(m, "out_relu"));
        assertEquals(Shape.of(10), out(m, "predictions"));
    }
}
