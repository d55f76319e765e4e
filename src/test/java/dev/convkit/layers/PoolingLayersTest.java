package dev.convkit.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Input;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.Shape;
import org.junit.jupiter.api.Test;

class PoolingLayersTest {

    @Test void stridesDefaultToThePoolSizeWithValidPadding() {
        assertEquals(Shape.of(64, 9, 9), new MaxPooling2D("p", 3).apply(Input.of("x", 64, 28, 28)).shape());
        assertEquals(Shape.of(8, 3, 3), new MaxPooling2D("q", 2).apply(Input.of("x", 8, 7, 7)).shape());
        assertEquals(Shape.of(64, 1, 1), new AveragePooling2D("a", 8).apply(Input.of("x", 64, 8, 8)).shape());
    }

    @Test void sameMaxPool3Stride2OnEvenInputPadsZeroBeforeAndOneAfter() {
        MaxPooling2D pool = new MaxPooling2D("stem/pool", 3).strides(2).padding(Padding.SAME);
        Window2d w = pool.window(Shape.of(64, 16, 16));
        assertEquals(0, w.padTop());
        assertEquals(1, w.padBottom());
        assertEquals(Shape.of(64, 8, 8), pool.apply(Input.of("x", 64, 16, 16)).shape());
    }

    @Test void sameAveragePoolRoundsUp() {
        assertEquals(Shape.of(4, 3, 3), new AveragePooling2D("a", 2).padding(Padding.SAME).apply(Input.of("x", 4, 5, 5)).shape());
    }

    @Test void poolWindowLargerThanInputNamesLayer() {
        GraphException e = assertThrows(GraphException.class, () -> new AveragePooling2D("head/avg_pool", 8).apply(Input.of("x", 64, 4, 4)));
        assertTrue(e.getMessage().startsWith("layer 'head/avg_pool' (AveragePooling2D) cannot take input shape (64, 4, 4)"), e.getMessage());
    }

    @Test void globalAveragePoolingGivesChannels() {
        assertEquals(Shape.of(2048), new GlobalAveragePooling2D("gap").apply(Input.of("x", 2048, 7, 7)).shape());
        GraphException e = assertThrows(GraphException.class, () -> new GlobalAveragePooling2D("gap2").apply(Input.of("v", 10)));
        assertTrue(e.getMessage().contains("gap2") && e.getMessage().contains("(10,)"), e.getMessage());
    }

    @Test void poolingRejectsVectors() {
        GraphException e = assertThrows(GraphException.class, () -> new MaxPooling2D("p", 2).apply(Input.of("v", 10)));
        assertTrue(e.getMessage().contains("'p' (MaxPooling2D)"), e.getMessage());
    }
}
