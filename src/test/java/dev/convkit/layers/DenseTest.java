package dev.convkit.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Initializer;
import dev.convkit.graph.Input;
import dev.convkit.graph.ParamKind;
import dev.convkit.graph.ParamSpec;
import dev.convkit.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class DenseTest {

    @Test void weightsAreInByOutAsKeras() {
        Dense d = new Dense("fc", 10).kernelInitializer(Initializer.HE_NORMAL).kernelRegularizerL2(5e-4f);
        assertEquals(Shape.of(10), d.apply(Input.of("v", 576)).shape());
        List<ParamSpec> ps = d.params(List.of(Shape.of(576)));
        assertEquals(Shape.of(576, 10), ps.get(0).shape());
        assertEquals(ParamKind.KERNEL, ps.get(0).kind());
        assertEquals(Initializer.HE_NORMAL, ps.get(0).init());
        assertEquals(5e-4f, ps.get(0).l2());
        assertEquals(Shape.of(10), ps.get(1).shape());
        assertEquals(ParamKind.BIAS, ps.get(1).kind());
        assertEquals(5770, ps.stream().mapToLong(ParamSpec::count).sum());
    }

    @Test void withoutBiasOnlyTheKernel() {
        List<ParamSpec> ps = new Dense("fc", 3).useBias(false).params(List.of(Shape.of(4)));
        assertEquals(1, ps.size());
        assertEquals(12, ps.get(0).count());
    }

    @Test void rankThreeInputIsRejectedWithAHint() {
        GraphException e = assertThrows(GraphException.class, () -> new Dense("head/dense", 10).apply(Input.of("x", 64, 8, 8)));
        assertEquals("layer 'head/dense' (Dense) cannot take input shape (64, 8, 8): Dense needs a (features) vector input; "
                + "add Flatten or GlobalAveragePooling2D before it", e.getMessage());
    }

    @Test void softmaxActivationAppliesToTheVector() {
        assertEquals(Shape.of(5), new Dense("fc", 5).activation("softmax").apply(Input.of("v", 7)).shape());
    }

    @Test void zeroUnitsFail() {
        assertTrue(assertThrows(GraphException.class, () -> new Dense("fc", 0)).getMessage().contains("units must be >= 1"));
    }
}
