package dev.convkit.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Input;
import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Activation;
import dev.convkit.layers.Add;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.Flatten;
import dev.convkit.layers.Padding;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Models built wrongly from the layers fail when the {@link Model} is constructed, with specific messages. */
class ModelBuildErrorsTest {

    @Test void aTensorFromAnotherModelIsRejected() {
        SymbolicTensor other = Input.of("other_image", 3, 8, 8);
        SymbolicTensor x = Input.of("image", 3, 8, 8);
        SymbolicTensor y = new Conv2D("conv", 4, 3).padding(Padding.SAME).apply(x);
        SymbolicTensor z = new Conv2D("other_conv", 4, 3).padding(Padding.SAME).apply(other);
        SymbolicTensor sum = new Add("add").apply(y, z);
        GraphException e = assertThrows(GraphException.class, () -> new Model("m", x, sum));
        assertTrue(e.getMessage().contains("layer other_conv (Conv2D) depends on input 'other_image' (3, 8, 8)"), e.getMessage());
        assertTrue(e.getMessage().contains("not one of the model's inputs"), e.getMessage());
    }

    @Test void anUnusedInputIsRejected() {
        SymbolicTensor a = Input.of("a", 4), unused = Input.of("unused", 4);
        SymbolicTensor y = new Dense("fc", 2).apply(a);
        GraphException e = assertThrows(GraphException.class, () -> new Model("m", List.of(a, unused), List.of(y)));
        assertEquals("model 'm': input 'unused' (4,) is not used by any output; remove it or connect it", e.getMessage());
    }

    @Test void duplicateLayerNamesAreRejected() {
        SymbolicTensor x = Input.of("image", 3, 8, 8);
        SymbolicTensor y = new Conv2D("block/conv", 4, 3).apply(x);
        y = new Conv2D("block/conv", 4, 3).apply(y);
        SymbolicTensor out = y;
        GraphException e = assertThrows(GraphException.class, () -> new Model("m", x, out));
        assertTrue(e.getMessage().contains("duplicate layer name 'block/conv'"), e.getMessage());
    }

    @Test void unnamedLayersGetStructuralNamesWithoutClashing() {
        SymbolicTensor x = Input.of("image", 1, 6, 6);
        SymbolicTensor y = Activation.relu(null).apply(new Conv2D(2, 3).apply(x));
        y = new Dense(3).apply(new Flatten().apply(y));
        Model m = new Model("m", x, y);
        assertEquals(5, m.nodes().stream().map(n -> n.layer().name()).distinct().count());
        assertEquals(2 * 9 + 2 + 32 * 3 + 3, m.totalParams());
    }
}
