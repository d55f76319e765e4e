package dev.convkit.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Initializer;
import dev.convkit.graph.Input;
import dev.convkit.graph.Model;
import dev.convkit.graph.ParamKind;
import dev.convkit.graph.ParamSpec;
import dev.convkit.graph.ProgramBuilder;
import dev.convkit.graph.ProgramBuilder.Labels;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Conv2dBwdData;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Conv2D(groups) and DepthwiseConv2D: shapes, Keras's parameter counts, and the grouped ops they lower to. */
class GroupedConvLayersTest {

    private static long count(List<ParamSpec> ps) { return ps.stream().mapToLong(ParamSpec::count).sum(); }

    @Test void groupedConv2DHasKerasParameterCounts() {
        // keras.layers.Conv2D(64, 3, groups=4) on 32 channels: 64·(32/4)·3·3 + 64 = 4,672.
        Conv2D conv = new Conv2D("g", 64, 3).groups(4);
        List<ParamSpec> ps = conv.params(List.of(Shape.of(32, 10, 10)));
        assertEquals(Shape.of(64, 8, 3, 3), ps.get(0).shape());
        assertEquals(4_672, count(ps));
        assertEquals(Shape.of(64, 8, 8), conv.apply(Input.of("x", 32, 10, 10)).shape());
        // groups 1 is the ordinary convolution: 64·32·9 + 64 = 18,496.
        assertEquals(18_496, count(new Conv2D("c", 64, 3).params(List.of(Shape.of(32, 10, 10)))));
    }

    @Test void depthwiseConv2DHasKerasParameterCounts() {
        // keras.layers.DepthwiseConv2D(3) on 32 channels: 32·3·3 + 32 = 320.
        DepthwiseConv2D dw = new DepthwiseConv2D("dw", 3);
        List<ParamSpec> ps = dw.params(List.of(Shape.of(32, 14, 14)));
        assertEquals("depthwise_kernel", ps.get(0).localName());
        assertEquals(Shape.of(32, 1, 3, 3), ps.get(0).shape());
        assertEquals(320, count(ps));
        // DepthwiseConv2D((5, 3), depth_multiplier=2, use_bias=False) on 16 channels: 16·2·5·3 = 480.
        DepthwiseConv2D m2 = new DepthwiseConv2D("m2", 5, 3).depthMultiplier(2).useBias(false);
        assertEquals(480, count(m2.params(List.of(Shape.of(16, 9, 9)))));
        // DepthwiseConv2D(3, strides=2, padding="same") on (24, 15, 15): TF-same gives ceil(15/2) = 8.
        SymbolicTensor y = new DepthwiseConv2D("s2", 3).strides(2).padding(Padding.SAME).apply(Input.of("x", 24, 15, 15));
        assertEquals(Shape.of(24, 8, 8), y.shape());
    }

    @Test void depthwiseModelLowersToGroupedConvolutionsForwardAndBackward() {
        SymbolicTensor image = Input.of("image", 6, 8, 8);
        SymbolicTensor x = new DepthwiseConv2D("dw", 3).depthMultiplier(2).padding(Padding.SAME).apply(image);
        x = new Conv2D("pw", 4, 1).groups(2).apply(x);
        Model m = new Model("dw", image, new Dense("logits", 3).apply(new Flatten("flat").apply(x)));
        assertEquals(6 * 2 * 9 + 12 + 4 * 6 + 4 + 4 * 64 * 3 + 3, m.summary().lines()
                .filter(l -> l.startsWith("Total params")).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).orElseThrow());
        var instrs = ProgramBuilder.training(m, 2, Labels.SPARSE).instrs();
        List<Integer> fwd = instrs.stream().filter(i -> i.op() instanceof Conv2d).map(i -> ((Conv2d) i.op()).groups()).toList();
        assertEquals(List.of(6, 2), fwd);
        assertTrue(instrs.stream().anyMatch(i -> i.op() instanceof Conv2dBwdFilter f && f.groups() == 6));
        assertTrue(instrs.stream().anyMatch(i -> i.op() instanceof Conv2dBwdData d && d.groups() == 2));
    }

    @Test void groupsThatDoNotDivideAreRejectedNamingTheLayer() {
        GraphException filters = assertThrows(GraphException.class, () -> new Conv2D("g", 10, 3).groups(4));
        assertTrue(filters.getMessage().contains("filters 10 must be a multiple of groups 4"), filters.getMessage());
        GraphException channels = assertThrows(GraphException.class,
                () -> new Conv2D("g", 8, 3).groups(4).apply(Input.of("x", 6, 5, 5)));
        assertTrue(channels.getMessage().contains("input channels must be a multiple of groups 4"), channels.getMessage());
    }

    @Test void depthwiseKeepsItsOwnKerasNamesAndDefaultsThroughTheSharedBase() {
        // Fluent setters inherited from the shared base return DepthwiseConv2D, so depthMultiplier can follow them.
        DepthwiseConv2D dw = new DepthwiseConv2D("dw", 3).strides(2).kernelRegularizerL2(1e-3f).depthMultiplier(2);
        List<ParamSpec> ps = dw.params(List.of(Shape.of(5, 9, 9)));
        assertEquals(List.of("depthwise_kernel", "bias"), ps.stream().map(ParamSpec::localName).toList());
        assertEquals(Initializer.GLOROT_UNIFORM, ps.get(0).init());
        assertEquals(1e-3f, ps.get(0).l2());
        assertEquals(ParamKind.BIAS, ps.get(1).kind());
        assertEquals(Shape.of(10), ps.get(1).shape());
        dw.apply(Input.of("x", 5, 9, 9));
        GraphException init = assertThrows(GraphException.class, () -> dw.kernelInitializer(Initializer.HE_NORMAL));
        assertTrue(init.getMessage().contains("cannot change depthwise_initializer after"), init.getMessage());
        GraphException l2 = assertThrows(GraphException.class, () -> dw.kernelRegularizerL2(0f));
        assertTrue(l2.getMessage().contains("cannot change depthwise_regularizer after"), l2.getMessage());
        Conv2D conv = new Conv2D("c", 4, 3);
        conv.apply(Input.of("x", 2, 6, 6));
        GraphException convInit = assertThrows(GraphException.class, () -> conv.kernelInitializer(Initializer.HE_NORMAL));
        assertTrue(convInit.getMessage().contains("cannot change kernel_initializer after"), convInit.getMessage());
        // Constructor arguments are checked in order: filters before the kernel size.
        GraphException both = assertThrows(GraphException.class, () -> new Conv2D("c", 0, 0));
        assertTrue(both.getMessage().contains("filters must be >= 1, got 0"), both.getMessage());
        GraphException kernel = assertThrows(GraphException.class, () -> new DepthwiseConv2D("d", 3, 0));
        assertTrue(kernel.getMessage().contains("kernel width must be >= 1, got 0"), kernel.getMessage());
        // The window of a depthwise layer needs a (C, H, W) shape, as Conv2D's does.
        GraphException rank = assertThrows(GraphException.class, () -> new DepthwiseConv2D("d", 3).window(Shape.of(1, 5, 9, 9)));
        assertTrue(rank.getMessage().contains("a window needs a (C, H, W) input, got (1, 5, 9, 9)"), rank.getMessage());
    }
}
