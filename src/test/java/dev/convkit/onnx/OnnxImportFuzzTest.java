package dev.convkit.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.convkit.graph.Input;
import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Add;
import dev.convkit.layers.BatchNormalization;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.Flatten;
import dev.convkit.layers.MaxPooling2D;
import dev.convkit.layers.Padding;
import dev.convkit.testing.FuzzChecks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing (Jazzer; README "Fuzzing") of ONNX import: protobuf parsing, graph reading, constant folding
 * and weight checks. The one documented failure is {@link OnnxException} with a message; an initializer announcing
 * more elements than the file holds must be refused before it is allocated.
 */
class OnnxImportFuzzTest {
    @TempDir static Path dir;

    /** The input as a serialised ModelProto; external data is looked up in a folder holding nothing else. */
    @FuzzTest
    @Timeout(10)
    void onnxImport(byte[] input) {
        FuzzChecks.check(input.length, List.of(OnnxException.class), () -> OnnxImport.fromBytes(input, dir, "fuzz.onnx"));
    }

    /** A small model with a conv (TF-same pads), BN, a residual add, max-pool, Keras-order Flatten and a Dense. */
    private static Model tiny() {
        SymbolicTensor x = Input.of("image", 2, 6, 6);
        SymbolicTensor c = new Conv2D("conv", 3, 3).padding(Padding.SAME).activation("relu").apply(x);
        SymbolicTensor b = new BatchNormalization("bn").apply(new Conv2D("conv2", 3, 1).apply(c));
        SymbolicTensor y = new MaxPooling2D("pool", 2).apply(new Add("add").apply(c, b));
        return new Model("tiny", x, new Dense("logits", 4).apply(new Flatten("flatten").apply(y)));
    }

    /** The seeds: a valid export, truncations, a byte flipped in the header and in the weights, and an empty file. */
    @Test
    void seedCorpus() throws IOException {
        Model m = tiny();
        Map<String, float[]> params = OnnxFixtures.randomParams(m, 7);
        byte[] valid = OnnxExport.toBytes(m, params, OnnxExport.Options.defaults());
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("valid", valid);
        seeds.put("truncated-half", Arrays.copyOf(valid, valid.length / 2));
        seeds.put("truncated-tail", Arrays.copyOf(valid, valid.length - 5));
        byte[] header = valid.clone();
        header[3] ^= 0x55;
        seeds.put("header-flip", header);
        byte[] weights = valid.clone();
        weights[weights.length - 40] ^= 0x7f;
        seeds.put("weights-flip", weights);
        seeds.put("empty", new byte[0]);
        FuzzChecks.syncSeeds(getClass(), "onnxImport", seeds);
        ImportedModel back = OnnxImport.fromBytes(valid, dir, "seed.onnx");
        assertEquals(m.totalParams(), back.model().totalParams());
        assertArrayEquals(params.get("logits/kernel"), back.parameters().get("logits/kernel"));
    }
}
