package dev.convkit.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Model;
import dev.convkit.graph.ParamKind;
import dev.convkit.layers.BatchNormalization;
import dev.convkit.layers.Conv2D;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Feature-map sizes and variant choices of the non-CIFAR-ResNet families. */
class ZooStructureTest {

    private static Shape out(Model m, String layer) { return m.layer(layer).node().outputs().get(0).shape(); }

    @Test void resnet50At32x32() {
        Model m = ResNet.resnet50(Shape.of(3, 32, 32), 100);
        assertEquals(Shape.of(3, 38, 38), out(m, "stem/pad"));
        assertEquals(Shape.of(64, 16, 16), out(m, "stem/conv"));
        assertEquals(Shape.of(64, 8, 8), out(m, "stem/pool"));
        var pool = ((dev.convkit.layers.MaxPooling2D) m.layer("stem/pool")).window(Shape.of(64, 16, 16));
        assertEquals(List.of(0, 1), List.of(pool.padTop(), pool.padBottom()));
        assertEquals(Shape.of(256, 8, 8), out(m, "stage1/block3/relu"));
        assertEquals(Shape.of(512, 4, 4), out(m, "stage2/block4/relu"));
        assertEquals(Shape.of(1024, 2, 2), out(m, "stage3/block6/relu"));
        assertEquals(Shape.of(2048, 1, 1), out(m, "stage4/block3/relu"));
        assertEquals(Shape.of(2048), out(m, "head/avg_pool"));
        // v1.5: the stride is on the 3x3 conv, the 1x1 before it keeps the resolution.
        assertEquals(Shape.of(128, 8, 8), out(m, "stage2/block1/conv1"));
        assertEquals(Shape.of(128, 4, 4), out(m, "stage2/block1/conv2"));
        assertTrue(m.params().keySet().stream().noneMatch(k -> k.contains("conv") && k.endsWith("/bias")), "bias-free convs");
        BatchNormalization bn = (BatchNormalization) m.layer("stage3/block2/bn2");
        assertEquals(1e-5f, bn.epsilon());
        assertEquals(0.9f, bn.momentum());
        assertTrue(m.params().containsKey("stage1/block1/shortcut/bn/moving_variance"));
        assertFalse(m.params().containsKey("stage1/block2/shortcut/conv/kernel"));
    }

    @Test void resnet50TakesMnistToo() {
        Model m = ResNet.resnet50(Shape.of(1, 28, 28), 10);
        assertEquals(Shape.of(64, 14, 14), out(m, "stem/conv"));
        assertEquals(Shape.of(2048, 1, 1), out(m, "stage4/block3/relu"));
        assertEquals(Shape.of(10), m.outputs().get(0).shape());
    }

    @Test void resnet50AtImageNetSize() {
        Model m = ModelRegistry.create("resnet50");
        assertEquals(Shape.of(64, 112, 112), out(m, "stem/conv"));
        assertEquals(Shape.of(64, 56, 56), out(m, "stem/pool"));
        assertEquals(Shape.of(2048, 7, 7), out(m, "stage4/block3/relu"));
    }

    @Test void resnet18BasicBlocksProjectOnlyWhereTheShapeChanges() {
        Model m = ModelRegistry.create("resnet18");
        assertEquals("resnet18", m.name());
        assertEquals(Shape.of(64, 56, 56), out(m, "stage1/block2/relu"));
        assertEquals(Shape.of(128, 28, 28), out(m, "stage2/block1/conv1"));
        assertEquals(Shape.of(512, 7, 7), out(m, "stage4/block2/relu"));
        assertEquals(Shape.of(512), out(m, "head/avg_pool"));
        assertEquals(Shape.of(64, 64, 3, 3), m.params().get("stage1/block1/conv2/kernel").shape());
        assertFalse(m.params().containsKey("stage1/block1/shortcut/conv/kernel"), "64 → 64 at stride 1: identity");
        assertEquals(Shape.of(128, 64, 1, 1), m.params().get("stage2/block1/shortcut/conv/kernel").shape());
        assertFalse(m.params().containsKey("stage2/block1/conv3/kernel"), "basic blocks have two convs");
    }

    @Test void imagenetResNetNamesFollowTheirDepth() {
        assertEquals(List.of("resnet34", "resnet101", "resnet152"), List.of(ModelRegistry.create("resnet34").name(),
                ModelRegistry.create("resnet101").name(), ModelRegistry.create("resnet152").name()));
        Model r152 = ModelRegistry.create("resnet152");
        assertEquals(Shape.of(512, 28, 28), out(r152, "stage2/block8/relu"));
        assertEquals(Shape.of(1024, 14, 14), out(r152, "stage3/block36/relu"));
        GraphException e = assertThrows(GraphException.class,
                () -> ResNet.imagenet(ResNet.Block.BASIC, new int[] {2, 2, 2}, Shape.of(3, 64, 64), 10));
        assertEquals("an ImageNet ResNet needs 4 stages of at least 1 block each, got [2, 2, 2]", e.getMessage());
    }

    @Test void densenetBcChannelsFollowTheKerasCompression() {
        Model m = ModelRegistry.create("densenet_bc_100_k12");
        assertEquals(Shape.of(27, 32, 32), out(m, "stem/concat"));
        assertEquals(Shape.of(219, 32, 32), out(m, "block1/layer16/concat"));
        assertEquals(Shape.of(108, 16, 16), out(m, "transition1/pool"));
        assertEquals(Shape.of(300, 16, 16), out(m, "block2/layer16/concat"));
        assertEquals(Shape.of(150, 8, 8), out(m, "transition2/pool"));
        assertEquals(Shape.of(342, 8, 8), out(m, "block3/layer16/concat"));
        assertEquals(Shape.of(48, 207, 1, 1), m.params().get("block1/layer16/conv1/kernel").shape());
        assertEquals(Shape.of(12, 48, 3, 3), m.params().get("block1/layer16/conv2/kernel").shape());
        List<String> layers = m.nodes().stream().map(n -> n.layer().name()).toList();
        assertFalse(layers.contains("transition1/relu"), "the Keras CIFAR transition has no ReLU");
        assertEquals(Shape.of(342, 10), m.params().get("head/dense/kernel").shape());
    }

    @Test void densenet121MatchesKerasApplications() {
        Model m = ModelRegistry.create("densenet121");
        assertEquals(Shape.of(64, 56, 56), out(m, "stem/pool"));
        assertEquals(Shape.of(256, 56, 56), out(m, "block1/layer6/concat"));
        assertEquals(Shape.of(128, 28, 28), out(m, "transition1/pool"));
        assertEquals(Shape.of(512, 28, 28), out(m, "block2/layer12/concat"));
        assertEquals(Shape.of(256, 14, 14), out(m, "transition2/pool"));
        assertEquals(Shape.of(1024, 14, 14), out(m, "block3/layer24/concat"));
        assertEquals(Shape.of(512, 7, 7), out(m, "transition3/pool"));
        assertEquals(Shape.of(1024, 7, 7), out(m, "block4/layer16/concat"));
        assertEquals(1.001e-5f, ((BatchNormalization) m.layer("block3/layer7/bn2")).epsilon());
        assertFalse(((Conv2D) m.layer("block3/layer7/conv2")).useBias());
    }

    @Test void vgg16FlattensWhateverIsLeft() {
        Model small = ModelRegistry.create("vgg16_cifar100");
        assertEquals(Shape.of(512, 1, 1), out(small, "block5/pool"));
        assertEquals(Shape.of(512), out(small, "flatten"));
        Model big = ModelRegistry.create("vgg16");
        assertEquals(Shape.of(25088), out(big, "flatten"));
        assertEquals(13, big.nodes().stream().filter(n -> n.layer() instanceof Conv2D).count());
    }

    @Test void alexnetFeatureMaps() {
        Model m = ModelRegistry.create("alexnet");
        assertEquals(Shape.of(96, 55, 55), out(m, "conv1"));
        assertEquals(Shape.of(256, 27, 27), out(m, "conv2"));
        assertEquals(Shape.of(256, 6, 6), out(m, "pool5"));
        assertEquals(Shape.of(9216), out(m, "flatten"));
    }

    @Test void mnistCnnLayerCounts() {
        Model m = ModelRegistry.create("mnist_cnn");
        assertEquals(640, m.params().get("conv1/kernel").count() + m.params().get("conv1/bias").count());
        assertEquals(36_928, m.params().get("conv3/kernel").count() + m.params().get("conv3/bias").count());
        assertEquals(Shape.of(64, 3, 3), out(m, "conv3"));
        assertEquals(Shape.of(576, 10), m.params().get("dense/kernel").shape());
    }

    @Test void yNetworkHasTwoInputsAndADilatedRightBranch() {
        Model m = ModelRegistry.create("y_network");
        assertEquals(List.of("left_input", "right_input"), m.inputs().stream().map(t -> t.node().layer().name()).toList());
        Window2d left = ((Conv2D) m.layer("left/conv1")).window(Shape.of(1, 28, 28));
        Window2d right = ((Conv2D) m.layer("right/conv1")).window(Shape.of(1, 28, 28));
        assertEquals(1, left.dilationH());
        assertEquals(2, right.dilationH());
        assertEquals(2, right.padTop());
        assertEquals(Shape.of(128, 3, 3), out(m, "right/pool3"));
        assertEquals(Shape.of(256, 3, 3), out(m, "concat"));
        assertEquals(Shape.of(2304, 10), m.params().get("dense/kernel").shape());
        assertTrue(m.params().values().stream().allMatch(p -> p.kind() == ParamKind.KERNEL || p.kind() == ParamKind.BIAS));
    }

    @Test void mnistResNetAndDenseNet() {
        Model r = ModelRegistry.create("mnist_resnet");
        assertEquals(Shape.of(64, 9, 9), out(r, "stem/pool"));
        assertEquals(Shape.of(64, 9, 9), out(r, "block2/relu"));
        Model d = ModelRegistry.create("mnist_densenet");
        assertEquals(Shape.of(128, 9, 9), out(d, "block1/layer4/concat"));
        assertEquals(Shape.of(64, 4, 4), out(d, "transition1/pool"));
        assertEquals(Shape.of(128, 4, 4), out(d, "block2/layer4/concat"));
    }
}
