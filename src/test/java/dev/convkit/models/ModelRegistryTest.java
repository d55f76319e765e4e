package dev.convkit.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Model;
import dev.convkit.graph.Node;
import dev.convkit.graph.ParamSpec;
import dev.convkit.graph.Program;
import dev.convkit.graph.ProgramBuilder;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ModelRegistryTest {

    static List<String> names() { return ModelRegistry.names(); }

    @Test void registersEveryFamily() {
        assertTrue(ModelRegistry.names().containsAll(List.of("resnet20v1", "resnet32v1", "resnet44v1", "resnet56v1",
                "resnet110v1", "resnet29v2", "resnet56v2", "resnet110v2", "resnet_v1", "resnet_v2", "densenet_bc_100_k12",
                "densenet_bc", "densenet121", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnet50_cifar100", "vgg16", "vgg16_cifar100", "alexnet",
                "mnist_cnn", "y_network", "mnist_resnet", "mnist_densenet")), ModelRegistry.names().toString());
    }

    /** Every registered model builds at its defaults with (classes) logits, unique names and a consistent lowering. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void buildsWithDefaultShapes(String name) {
        ModelRegistry.Entry e = ModelRegistry.entry(name);
        Model m = ModelRegistry.create(name);
        assertEquals(1, m.outputs().size());
        assertEquals(Shape.of(e.defaultClasses()), m.outputs().get(0).shape());
        assertEquals(e.inputs(), m.inputs().size());
        for (SymbolicTensor in : m.inputs()) assertEquals(e.defaultInput(), in.shape());
        assertFalse(e.description().isBlank());

        // No parameter was shadowed by a duplicate structural name.
        long declared = 0;
        for (Node n : m.nodes()) declared += n.layer().params(n.inputShapes()).size();
        assertEquals(declared, m.params().size());

        // Lowering agrees with every layer's shape rule (the builder checks each layer's outputs).
        Program p = ProgramBuilder.inference(m, 1, null);
        assertEquals(m.outputs().get(0).shape().withBatch(1), p.outputs().get(0).spec().shape());

        // The diagram has one box per layer.
        String dot = m.toDot();
        for (Node n : m.nodes()) assertTrue(dot.contains("{" + n.layer().name() + " | " + n.layer().type() + " |"), n.layer().name());
    }

    @Test void overridesClassesAndInput() {
        Model m = ModelRegistry.create("resnet50", ModelConfig.defaults().withInput(3, 64, 96).withClasses(7));
        assertEquals(Shape.of(7), m.outputs().get(0).shape());
        assertEquals(Shape.of(3, 64, 96), m.inputs().get(0).shape());
        Model y = ModelRegistry.create("y_network", ModelConfig.defaults().withClasses(3));
        assertEquals(List.of(Shape.of(1, 28, 28), Shape.of(1, 28, 28)), y.inputs().stream().map(SymbolicTensor::shape).toList());
        assertEquals(Shape.of(3), y.outputs().get(0).shape());
        assertEquals(Shape.of(10), ModelRegistry.create("mnist_cnn", ModelConfig.defaults().withInput(1, 28, 28)).outputs().get(0).shape());
    }

    @Test void unknownNameListsTheValidOnes() {
        GraphException e = assertThrows(GraphException.class, () -> ModelRegistry.create("resnet21"));
        assertTrue(e.getMessage().startsWith("unknown model 'resnet21'; valid names: resnet20v1, resnet32v1"), e.getMessage());
        for (String n : ModelRegistry.names()) assertTrue(e.getMessage().contains(n), n);
    }

    @Test void invalidDepthsAreExplained() {
        GraphException v1 = assertThrows(GraphException.class,
                () -> ModelRegistry.create("resnet_v1", ModelConfig.defaults().withDepth(21)));
        assertEquals("resnet_v1 depth must be 6n+2 (20, 32, 44, 56, 110, ...), got 21", v1.getMessage());
        GraphException v2 = assertThrows(GraphException.class,
                () -> ModelRegistry.create("resnet_v2", ModelConfig.defaults().withDepth(30)));
        assertEquals("resnet_v2 depth must be 9n+2 (29, 56, 110, ...), got 30", v2.getMessage());
        GraphException bc = assertThrows(GraphException.class,
                () -> ModelRegistry.create("densenet_bc", ModelConfig.defaults().withDepth(41)));
        assertEquals("densenet_bc depth must be 6n+4 (40, 100, 190, ...), got 41", bc.getMessage());
        assertThrows(GraphException.class, () -> ResNetCifar.v1(2, Shape.of(3, 32, 32), 10));
    }

    @Test void fixedModelsRefuseDepth() {
        GraphException e = assertThrows(GraphException.class,
                () -> ModelRegistry.create("vgg16", ModelConfig.defaults().withDepth(19)));
        assertTrue(e.getMessage().startsWith("model 'vgg16' takes no depth; models with a depth option: resnet_v1, resnet_v2, densenet_bc"),
                e.getMessage());
    }

    @Test void genericFamiliesTakeDepthAndGrowth() {
        Model m = ModelRegistry.create("densenet_bc", ModelConfig.defaults().withDepth(40).withGrowthRate(12));
        assertEquals("densenet_bc_40_k12", m.name());
        assertEquals("resnet44v1", ModelRegistry.create("resnet_v1", ModelConfig.defaults().withDepth(44)).name());
    }

    @Test void tooSmallInputsAreRejectedUpFront() {
        GraphException e = assertThrows(GraphException.class,
                () -> ModelRegistry.create("alexnet", ModelConfig.defaults().withInput(3, 66, 66)));
        assertEquals("alexnet needs a (C, H, W) input of at least 67x67, got (3, 66, 66)", e.getMessage());
        assertEquals(Shape.of(1000), ModelRegistry.create("alexnet", ModelConfig.defaults().withInput(3, 67, 67)).outputs().get(0).shape());
        assertThrows(GraphException.class, () -> ModelRegistry.create("vgg16", ModelConfig.defaults().withInput(3, 31, 31)));
        GraphException rank = assertThrows(GraphException.class, () -> ModelRegistry.create("mnist_cnn", ModelConfig.defaults().withInput(784)));
        assertTrue(rank.getMessage().contains("must be an image (C, H, W), got (784,)"), rank.getMessage());
    }

    @Test void registeringAnExistingNameFails() {
        ModelRegistry.Entry e = ModelRegistry.entry("mnist_cnn");
        assertThrows(GraphException.class, () -> ModelRegistry.register(e));
    }

    @Test void paramKindsAreConsistentWithTheSplit() {
        Model m = ModelRegistry.create("resnet20v1");
        long state = m.params().values().stream().filter(p -> !p.kind().trainable()).mapToLong(ParamSpec::count).sum();
        assertEquals(1_376, state);
    }
}
