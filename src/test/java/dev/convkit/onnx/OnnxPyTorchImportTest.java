package dev.convkit.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.Backends;
import dev.convkit.exec.CompiledModel;
import dev.convkit.graph.Model;
import dev.convkit.graph.ProgramBuilder.Labels;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.ZeroPadding2D;
import dev.convkit.train.Optimizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * An independent producer: ResNet20v1 exported by PyTorch's torch.onnx.export (src/test/python/export_resnet20_onnx.py,
 * src/test/resources/onnx/). The file has every BN folded into its convolution, the TF-'same' down-sampling pads as
 * Shape/Gather/Sub/.../Pad arithmetic and NCHW Flatten + Gemm(transB=1): ConvKit must import it, reproduce PyTorch's
 * float32 logits to 1e-4 of their scale, and fine-tune it.
 */
class OnnxPyTorchImportTest {
    private static final int BATCH = 4, CLASSES = 10;

    static ImportedModel load() throws IOException {
        try (InputStream in = OnnxPyTorchImportTest.class.getResourceAsStream("/onnx/resnet20v1_pytorch.onnx")) {
            assertNotNull(in, "run src/test/python/export_resnet20_onnx.py to write src/test/resources/onnx/resnet20v1_pytorch.onnx");
            return OnnxImport.fromBytes(in.readAllBytes(), null, "resnet20v1_pytorch.onnx");
        }
    }

    /** The recipe input of the script: sin(0.37·i + 0.11) over the flat NCHW batch, rounded to float32. */
    static float[] input() {
        float[] x = new float[BATCH * 3 * 32 * 32];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(0.37 * i + 0.11);
        return x;
    }

    static float[] pytorchLogits() throws IOException {
        try (InputStream in = OnnxPyTorchImportTest.class.getResourceAsStream("/onnx/resnet20v1_pytorch_logits.txt")) {
            assertNotNull(in, "resnet20v1_pytorch_logits.txt is missing from the test resources");
            String[] rows = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().split("\n");
            assertEquals(BATCH, rows.length, "one logits row per sample");
            return parse(rows);
        }
    }

    private static float[] parse(String[] rows) {
        float[] out = new float[BATCH * CLASSES];
        int k = 0;
        for (String r : rows) for (String v : r.strip().split(" ")) out[k++] = Float.parseFloat(v);
        assertEquals(BATCH * CLASSES, k, "logits in the file");
        return out;
    }

    @Test
    void importsAndReproducesPyTorchLogits() throws Exception {
        ImportedModel m = load();
        Model model = m.model();
        // PyTorch's 273,066 trainable values less the 19 BNs' gamma and beta (2 x 688 channels), which the exporter
        // folded into the kernels and biases of their convolutions.
        assertEquals(271_690, model.totalParams(), "parameters");
        assertEquals(21, model.nodes().stream().filter(n -> n.layer() instanceof Conv2D).count(), "convolutions");
        assertEquals(2, model.nodes().stream().filter(n -> n.layer() instanceof ZeroPadding2D).count(),
                "explicit pads of the two stride-2 3x3 convolutions (TF 'same' pads 0 before, 1 after)");
        assertTrue(model.params().containsKey("0/conv/Conv/kernel"), "structural names from the node names: " + model.params().keySet());
        float[] want = pytorchLogits();
        float[] got = OnnxFixtures.convkitLogits(model, m.parameters(), new float[][] {input()});
        double rel = OnnxFixtures.relativeError(got, want);
        System.out.printf(Locale.ROOT, "OnnxPyTorchImportTest: %d layers, %d params, logits max relative diff vs PyTorch %.3g%n",
                model.nodes().size(), model.totalParams(), rel);
        assertTrue(rel <= 1e-4, "ConvKit's logits differ from PyTorch's by " + rel + " of their scale");
    }

    @Test
    void fineTunesWithFallingLoss() throws Exception {
        ImportedModel m = load();
        float[] x = input();
        float[] labels = new float[BATCH];
        for (int n = 0; n < BATCH; n++) labels[n] = (3 * n + 1) % CLASSES;
        List<Float> losses = new ArrayList<>();
        try (Backend cpu = Backends.open("cpu", BackendOptions.defaults().withDeterministic(true));
             CompiledModel cm = new CompiledModel(m.model(), cpu, Optimizer.adam().updateOp())) {
            cm.loadParameters(m.parameters());
            for (int step = 0; step < 20; step++) losses.add(cm.trainStep(new float[][] {x}, labels, Labels.SPARSE, 1e-3f).loss());
        }
        System.out.println("OnnxPyTorchImportTest fine-tuning losses: " + losses);
        for (float l : losses) assertTrue(Float.isFinite(l), "losses " + losses);
        assertTrue(losses.get(19) < 0.5f * losses.get(0), "20 Adam steps on one batch should at least halve the loss: " + losses);
    }
}
