package dev.convkit.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.graph.Model;
import dev.convkit.graph.Node;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Export → import → export over models that together use every layer type: the imported model has the same layers
 * (names, types, parameter names, shapes and values, bit for bit), gives the same logits on the cpu engine, and
 * exports to the same bytes, so names and structure are stable across any number of round trips.
 */
class OnnxRoundTripTest {
    static Stream<String> models() {
        return Stream.of("resnet20v1", "resnet29v2", "mnist_cnn", "y_network", "mnist_resnet", "mnist_densenet", "densenet121", "resnet50");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void exportImportExportIsStable(String name) throws Exception {
        Model model = OnnxRuntimeParityTest.build(name);
        Map<String, float[]> params = OnnxFixtures.randomParams(model, 11);
        byte[] first = OnnxExport.toBytes(model, params, OnnxExport.Options.defaults());
        ImportedModel imported = OnnxImport.fromBytes(first, null, name + ".onnx");
        Model back = imported.model();

        assertEquals(layers(model), layers(back), name + ": layers (name and type, in order)");
        assertEquals(List.copyOf(model.params().keySet()), List.copyOf(back.params().keySet()), name + ": parameter names");
        for (String p : model.params().keySet()) {
            assertEquals(model.params().get(p).shape(), back.params().get(p).shape(), name + ": shape of " + p);
            assertEquals(model.params().get(p).kind(), back.params().get(p).kind(), name + ": kind of " + p);
            assertArrayEquals(params.get(p), imported.parameters().get(p), name + ": values of " + p);
        }
        float[][] inputs = OnnxFixtures.randomInputs(model, 2, 5);
        float[] want = OnnxFixtures.convkitLogits(model, params, inputs);
        float[] got = OnnxFixtures.convkitLogits(back, imported.parameters(), inputs);
        double rel = OnnxFixtures.relativeError(got, want);
        System.out.printf(Locale.ROOT, "OnnxRoundTripTest %s: %d layers, %d params, logits max relative diff %.3g%n",
                name, back.nodes().size(), back.totalParams(), rel);
        assertEquals(0.0, rel, name + ": the same layers with the same weights give the same logits");
        byte[] second = OnnxExport.toBytes(back, imported.parameters(), OnnxExport.Options.defaults());
        assertTrue(java.util.Arrays.equals(first, second), name + ": the re-export differs from the first export");
    }

    private static List<String> layers(Model m) {
        return m.nodes().stream().map(Node::layer).map(l -> l.name() + " " + l.type()
                + (l instanceof dev.convkit.layers.Conv2D c ? " " + c.fusedActivation() : "")).toList();
    }
}
