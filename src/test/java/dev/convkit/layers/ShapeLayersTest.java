package dev.convkit.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Input;
import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.ops.ActivationOp;
import dev.convkit.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Flatten, ZeroPadding2D, Dropout and Activation: shape rules, defaults and errors. */
class ShapeLayersTest {

    @Test void flattenMultipliesAllAxesAndPassesVectorsThrough() {
        assertEquals(Shape.of(2304), new Flatten("f").apply(Input.of("x", 256, 3, 3)).shape());
        assertEquals(Shape.of(12), new Flatten("g").apply(Input.of("v", 12)).shape());
        GraphException e = assertThrows(GraphException.class, () -> new Flatten("h").apply(Input.of("m", 3, 4)));
        assertTrue(e.getMessage().contains("'h' (Flatten)") && e.getMessage().contains("(3, 4)"), e.getMessage());
    }

    @Test void zeroPaddingAddsToEachSide() {
        assertEquals(Shape.of(3, 38, 38), new ZeroPadding2D("pad", 3).apply(Input.of("x", 3, 32, 32)).shape());
        assertEquals(Shape.of(3, 35, 40), new ZeroPadding2D("pad2", 1, 2, 3, 5).apply(Input.of("x", 3, 32, 32)).shape());
        assertThrows(GraphException.class, () -> new ZeroPadding2D("neg", -1));
    }

    @Test void dropoutKeepsTheShapeAndValidatesTheRate() {
        assertEquals(Shape.of(3, 4, 5), new Dropout("d", 0.4f).apply(Input.of("x", 3, 4, 5)).shape());
        assertTrue(assertThrows(GraphException.class, () -> new Dropout("d", 1f)).getMessage().contains("[0, 1)"));
        assertThrows(GraphException.class, () -> new Dropout("d", -0.1f));
    }

    @Test void dropoutSeedComesFromTheStructuralNameUnlessGiven() {
        SymbolicTensor x = Input.of("x", 8);
        Dropout a = new Dropout("left/dropout1", 0.4f), b = new Dropout("right/dropout1", 0.4f);
        Dropout unnamed = new Dropout(0.5f);
        SymbolicTensor y = new Add("sum").apply(a.apply(x), b.apply(x), unnamed.apply(x));
        new Model("m", x, y);
        assertNotEquals(a.seed(), b.seed());
        assertEquals(a.seed(), new Dropout("left/dropout1", 0.1f).seed());
        assertEquals(unnamed.seed(), new Dropout(unnamed.name(), 0.5f).seed());
        assertEquals(42L, new Dropout("d", 0.4f).seed(42L).seed());
    }

    @Test void activationNamesAndSoftmaxRank() {
        assertEquals(ActivationOp.Kind.TANH, new Activation("a", "TanH").kind());
        assertEquals(Shape.of(10), new Activation("s", "softmax").apply(Input.of("v", 10)).shape());
        GraphException e = assertThrows(GraphException.class, () -> new Activation("s2", "softmax").apply(Input.of("x", 3, 4, 4)));
        assertTrue(e.getMessage().contains("'s2' (Activation)") && e.getMessage().contains("(3, 4, 4)"), e.getMessage());
        assertTrue(assertThrows(GraphException.class, () -> new Activation("e", "elu")).getMessage().contains("unknown activation 'elu'"));
    }

    @Test void aLayerIsAppliedOnce() {
        Activation relu = Activation.relu("r");
        relu.apply(Input.of("x", 3));
        assertThrows(GraphException.class, () -> relu.apply(Input.of("y", 3)));
        assertEquals(List.of(Shape.of(3)), relu.node().inputShapes());
    }
}
