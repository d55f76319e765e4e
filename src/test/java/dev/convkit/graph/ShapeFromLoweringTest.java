package dev.convkit.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.ops.Concat;
import dev.convkit.ops.ZeroPad2d;
import dev.convkit.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A layer's output shapes come from running its lowering on shapes alone; it writes no shape rule of its own. */
class ShapeFromLoweringTest {

    /** Pads by {@code pad}, then stacks the padded image on itself: (C, H, W) → (2C, H + 2·pad, W + 2·pad). */
    private static final class PadTwice extends Layer {
        private final int pad;

        PadTwice(String name, int pad) {
            super(name);
            this.pad = pad;
        }

        @Override public String type() { return "PadTwice"; }

        @Override public void lower(Lowering ctx) {
            Value y = ctx.emit(new ZeroPad2d(pad, pad, pad, pad), ctx.input(0)).get(0);
            ctx.output(0, ctx.emit(new Concat(2), y, y).get(0));
        }
    }

    /** Lowers to nothing: a bug the derivation reports instead of leaving a node without outputs. */
    private static final class Silent extends Layer {
        Silent() { super("silent"); }

        @Override public String type() { return "Silent"; }

        @Override public void lower(Lowering ctx) {}
    }

    @Test void outputShapeIsTheLoweringsShapeWithoutBatch() {
        SymbolicTensor y = new PadTwice("pad_twice", 1).apply(Input.of("x", 3, 8, 6));
        assertEquals(Shape.of(6, 10, 8), y.shape());
        assertEquals(List.of(Shape.of(6, 10, 8)), new PadTwice(null, 1).outputShapes(List.of(Shape.of(3, 8, 6))));
    }

    @Test void anOpRefusingItsInputNamesTheLayerTheShapeAndTheOpsExpectation() {
        GraphException e = assertThrows(GraphException.class, () -> new PadTwice("stage1/pad", 1).apply(Input.of("v", 5)));
        assertTrue(e.getMessage().startsWith("layer 'stage1/pad' (PadTwice) cannot take input shape (5,): "), e.getMessage());
        assertTrue(e.getMessage().contains("zero_pad2d") && e.getMessage().contains("src NCHW"), e.getMessage());
    }

    @Test void theDefaultInputCheckWantsExactlyOneInput() {
        GraphException e = assertThrows(GraphException.class,
                () -> new PadTwice("p", 1).apply(Input.of("a", 3, 4, 4), Input.of("b", 3, 4, 4)));
        assertEquals("layer 'p' (PadTwice) cannot take input shapes [(3, 4, 4), (3, 4, 4)]: PadTwice takes exactly one input",
                e.getMessage());
    }

    @Test void aLoweringThatDeclaresNoOutputIsReported() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Silent().apply(Input.of("x", 3)));
        assertTrue(e.getMessage().contains("silent (Silent) declared no output"), e.getMessage());
    }

    @Test void programShapesAtAnyBatchAgreeWithTheDerivedShapes() {
        SymbolicTensor x = Input.of("x", 2, 5, 5);
        Model m = new Model("m", x, new PadTwice("pt", 2).apply(x));
        Program p = ProgramBuilder.inference(m, 3, null);
        assertEquals(Shape.of(3, 4, 9, 9), p.outputs().get(0).spec().shape());
    }
}
