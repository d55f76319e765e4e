package dev.convkit.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Input;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.tensor.Shape;
import org.junit.jupiter.api.Test;

class MergeLayersTest {

    @Test void addKeepsTheCommonShape() {
        SymbolicTensor a = Input.of("a", 16, 8, 8), b = Input.of("b", 16, 8, 8), c = Input.of("c", 16, 8, 8);
        assertEquals(Shape.of(16, 8, 8), new Add("sum").apply(a, b, c).shape());
    }

    @Test void addOfDifferentShapesNamesLayerAndBothShapes() {
        SymbolicTensor a = Input.of("a", 16, 8, 8), b = Input.of("b", 32, 8, 8);
        GraphException e = assertThrows(GraphException.class, () -> new Add("stage2/block1/add").apply(a, b));
        String m = e.getMessage();
        assertTrue(m.startsWith("layer 'stage2/block1/add' (Add) cannot take input shapes [(16, 8, 8), (32, 8, 8)]"), m);
        assertTrue(m.contains("same shape"), m);
    }

    @Test void addNeedsTwoInputs() {
        GraphException e = assertThrows(GraphException.class, () -> new Add("lonely").apply(Input.of("a", 4)));
        assertTrue(e.getMessage().contains("at least 2 inputs, got 1"), e.getMessage());
    }

    @Test void concatenateSumsChannelsInInputOrder() {
        SymbolicTensor a = Input.of("a", 3, 32, 32), b = Input.of("b", 24, 32, 32);
        assertEquals(Shape.of(27, 32, 32), new Concatenate("cat").apply(a, b).shape());
        assertEquals(Shape.of(7), new Concatenate("vec").apply(Input.of("u", 3), Input.of("v", 4)).shape());
    }

    @Test void concatenateWithMismatchedHeightNamesLayerAndShapes() {
        SymbolicTensor a = Input.of("a", 8, 16, 16), b = Input.of("b", 8, 15, 16);
        GraphException e = assertThrows(GraphException.class, () -> new Concatenate("block1/layer1/concat").apply(a, b));
        String m = e.getMessage();
        assertTrue(m.startsWith("layer 'block1/layer1/concat' (Concatenate) cannot take input shapes [(8, 16, 16), (8, 15, 16)]"), m);
        assertTrue(m.contains("all axes but 1"), m);
    }

    @Test void concatenateOfImageAndVectorFails() {
        GraphException e = assertThrows(GraphException.class, () -> new Concatenate("mix").apply(Input.of("a", 8, 4, 4), Input.of("b", 8)));
        assertTrue(e.getMessage().contains("'mix' (Concatenate)"), e.getMessage());
    }
}
