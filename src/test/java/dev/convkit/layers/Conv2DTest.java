package dev.convkit.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Initializer;
import dev.convkit.graph.Input;
import dev.convkit.graph.ParamKind;
import dev.convkit.graph.ParamSpec;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class Conv2DTest {

    @Test void validPaddingShrinksBySpanMinusOne() {
        SymbolicTensor y = new Conv2D("c", 8, 3).apply(Input.of("x", 3, 28, 28));
        assertEquals(Shape.of(8, 26, 26), y.shape());
        SymbolicTensor z = new Conv2D("d", 4, 3, 5).strides(2, 1).apply(Input.of("x", 3, 28, 28));
        assertEquals(Shape.of(4, 13, 24), z.shape());
    }

    @Test void samePaddingOnEvenInputWithStride2PadsZeroBeforeAndOneAfter() {
        Conv2D conv = new Conv2D("c", 16, 3).strides(2).padding(Padding.SAME);
        Window2d w = conv.window(Shape.of(3, 32, 32));
        assertEquals(0, w.padTop());
        assertEquals(1, w.padBottom());
        assertEquals(0, w.padLeft());
        assertEquals(1, w.padRight());
        assertEquals(Shape.of(16, 16, 16), conv.apply(Input.of("x", 3, 32, 32)).shape());
    }

    @Test void samePaddingOnOddInputWithStride2IsSymmetric() {
        Window2d w = new Conv2D("c", 16, 3).strides(2).padding(Padding.SAME).window(Shape.of(3, 33, 33));
        assertEquals(1, w.padTop());
        assertEquals(1, w.padBottom());
        // Stride 1 'same' of a 7x7 kernel pads 3 on each side; of a 2x2 kernel 0 before and 1 after.
        Window2d w7 = new Conv2D("c7", 1, 7).padding(Padding.SAME).window(Shape.of(1, 28, 28));
        assertEquals(List.of(3, 3, 3, 3), List.of(w7.padTop(), w7.padBottom(), w7.padLeft(), w7.padRight()));
        Window2d w2 = new Conv2D("c2", 1, 2).padding(Padding.SAME).window(Shape.of(1, 28, 28));
        assertEquals(List.of(0, 1), List.of(w2.padTop(), w2.padBottom()));
    }

    @Test void dilatedSameConvKeepsSizeAndPadsTheDilatedSpan() {
        Conv2D conv = new Conv2D("c", 32, 3).dilation(2).padding(Padding.SAME);
        Window2d w = conv.window(Shape.of(1, 28, 28));
        assertEquals(2, w.padTop());
        assertEquals(2, w.padBottom());
        assertEquals(Shape.of(32, 28, 28), conv.apply(Input.of("x", 1, 28, 28)).shape());
    }

    @Test void paramsAreOihwKernelAndBiasWithKindsInitAndL2() {
        Conv2D conv = new Conv2D("c", 16, 3).kernelInitializer(Initializer.HE_NORMAL).kernelRegularizerL2(1e-4f);
        List<ParamSpec> ps = conv.params(List.of(Shape.of(3, 32, 32)));
        assertEquals(2, ps.size());
        ParamSpec k = ps.get(0), b = ps.get(1);
        assertEquals("kernel", k.localName());
        assertEquals(Shape.of(16, 3, 3, 3), k.shape());
        assertEquals(ParamKind.KERNEL, k.kind());
        assertEquals(Initializer.HE_NORMAL, k.init());
        assertEquals(1e-4f, k.l2());
        assertEquals("bias", b.localName());
        assertEquals(Shape.of(16), b.shape());
        assertEquals(ParamKind.BIAS, b.kind());
        assertEquals(Initializer.ZEROS, b.init());
        assertEquals(0f, b.l2());
        assertEquals(448, ps.stream().mapToLong(ParamSpec::count).sum());
    }

    @Test void kerasDefaultsAreGlorotUniformWithBiasAndNoL2() {
        List<ParamSpec> ps = new Conv2D("c", 4, 1).params(List.of(Shape.of(2, 5, 5)));
        assertEquals(Initializer.GLOROT_UNIFORM, ps.get(0).init());
        assertEquals(0f, ps.get(0).l2());
        assertEquals(2, ps.size());
    }

    @Test void useBiasFalseDropsTheBias() {
        List<ParamSpec> ps = new Conv2D("c", 64, 7).useBias(false).params(List.of(Shape.of(3, 224, 224)));
        assertEquals(1, ps.size());
        assertEquals(64 * 3 * 49, ps.get(0).count());
    }

    @Test void nonImageInputNamesLayerAndShape() {
        SymbolicTensor v = Input.of("v", 10);
        GraphException e = assertThrows(GraphException.class, () -> new Conv2D("stage1/conv", 8, 3).apply(v));
        assertTrue(e.getMessage().contains("stage1/conv"), e.getMessage());
        assertTrue(e.getMessage().contains("(10,)"), e.getMessage());
        assertTrue(e.getMessage().contains("(C, H, W)"), e.getMessage());
    }

    @Test void kernelLargerThanInputNamesLayerAndShape() {
        SymbolicTensor x = Input.of("x", 3, 4, 4);
        GraphException e = assertThrows(GraphException.class, () -> new Conv2D("big", 8, 5).apply(x));
        assertTrue(e.getMessage().startsWith("layer 'big' (Conv2D) cannot take input shape (3, 4, 4)"), e.getMessage());
        assertTrue(e.getMessage().contains("larger than the padded input"), e.getMessage());
    }

    @Test void stridesAndDilationTogetherAreRejected() {
        Conv2D conv = new Conv2D("c", 8, 3).strides(2).dilation(2);
        GraphException e = assertThrows(GraphException.class, () -> conv.apply(Input.of("x", 3, 8, 8)));
        assertTrue(e.getMessage().contains("cannot both exceed 1"), e.getMessage());
    }

    @Test void configurationIsFrozenOnceApplied() {
        Conv2D conv = new Conv2D("c", 8, 3);
        conv.apply(Input.of("x", 3, 8, 8));
        GraphException e = assertThrows(GraphException.class, () -> conv.strides(2));
        assertTrue(e.getMessage().contains("after the layer was applied"), e.getMessage());
    }

    @Test void invalidArgumentsFailAtConstruction() {
        assertTrue(assertThrows(GraphException.class, () -> new Conv2D("c", 0, 3)).getMessage().contains("filters must be >= 1, got 0"));
        assertTrue(assertThrows(GraphException.class, () -> new Conv2D("c", 4, 3).strides(0)).getMessage().contains("stride"));
        assertTrue(assertThrows(GraphException.class, () -> new Conv2D("c", 4, 3).activation("gelu")).getMessage()
                .contains("[relu, relu6, sigmoid, tanh, softmax]"));
        assertThrows(GraphException.class, () -> new Conv2D("/bad", 4, 3));
    }

    @Test void fusedActivationKeepsTheShape() {
        SymbolicTensor y = new Conv2D("c", 8, 3).padding(Padding.SAME).activation("relu").apply(Input.of("x", 3, 9, 9));
        assertEquals(Shape.of(8, 9, 9), y.shape());
    }
}
