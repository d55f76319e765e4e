package dev.convkit.backend.dnnl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendOptions;
import dev.convkit.exec.CompiledModel;
import dev.convkit.graph.Input;
import dev.convkit.graph.Model;
import dev.convkit.graph.Precision;
import dev.convkit.graph.ProgramBuilder.Labels;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Activation;
import dev.convkit.layers.BatchNormalization;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Padding;
import dev.convkit.models.ModelConfig;
import dev.convkit.models.ModelRegistry;
import dev.convkit.ops.SgdUpdate;
import dev.convkit.tensor.DType;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole training steps with activations kept blocked against the same steps with every tensor canonical: the loss
 * of every step, the inference probabilities afterwards and every parameter (weights, BN statistics) must agree to
 * float rounding. The models cover what the layout changes touch: residual adds and strided convolutions
 * (ResNet), concatenation at channel offsets that split blocks with their gradients split back (DenseNet, growth
 * 12), pooling, flatten and dropout before a dense layer (MNIST CNN), two inputs with dilated convolutions
 * (Y-Network).
 */
class DnnlLayoutParityTest {
    static final int BATCH = 4, STEPS = 3;
    private static final double TOL = 2e-4;

    static Stream<Named<Model>> models() {
        return Stream.of(
                Named.of("densenet_bc depth 10, k 12", ModelRegistry.create("densenet_bc", ModelConfig.defaults().withDepth(10))),
                Named.of("resnet_v1 depth 8", ModelRegistry.create("resnet_v1", ModelConfig.defaults().withDepth(8))),
                Named.of("mnist_cnn", ModelRegistry.create("mnist_cnn")),
                Named.of("y_network", ModelRegistry.create("y_network")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void blockedTrainingMatchesCanonicalTraining(Model model) {
        BackendOptions options = BackendOptions.defaults().withDeterministic(true);
        try (DnnlBackend blocked = new DnnlBackend(options, true); DnnlBackend canonical = new DnnlBackend(options, false)) {
            assumeTrue(blocked.blocked(DType.F32) != null, "oneDNN's convolution prefers no blocked format on this machine");
            Run a = train(model, blocked), b = train(model, canonical);
            for (int s = 0; s < STEPS; s++) {
                assertClose("loss of step " + s, b.losses[s], a.losses[s]);
            }
            assertTrue(b.losses[STEPS - 1] != b.losses[0], "the steps changed the model");
            for (int i = 0; i < b.probs.length; i++) assertClose("probability " + i, b.probs[i], a.probs[i]);
            assertEquals(b.params.keySet(), a.params.keySet());
            for (Map.Entry<String, float[]> e : b.params.entrySet()) {
                float[] want = e.getValue(), got = a.params.get(e.getKey());
                for (int i = 0; i < want.length; i++) assertClose(e.getKey() + "[" + i + "]", want[i], got[i]);
            }
        }
    }

    /**
     * A model whose output is a 4-D activation (a feature extractor; 12 channels, so a partial 16-channel block):
     * the blocked engine writes it in its own layout and the executor copies it out canonically after the step.
     * {@code output(0)} must equal the canonical engine's, element for element in NCHW order.
     */
    @Test
    void fourDimensionalOutputsAreReadBackCanonically() {
        SymbolicTensor image = Input.of("image", 3, 8, 8);
        SymbolicTensor x = new Conv2D("conv1", 20, 3).padding(Padding.SAME).apply(image);
        x = Activation.relu("relu1").apply(new BatchNormalization("bn1").apply(x));
        Model features = new Model("features", image, new Conv2D("conv2", 12, 3).strides(2).padding(Padding.SAME).apply(x));
        float[] batch = new float[BATCH * 3 * 8 * 8];
        Random rnd = new Random(9);
        for (int i = 0; i < batch.length; i++) batch[i] = (float) rnd.nextGaussian();
        BackendOptions options = BackendOptions.defaults().withDeterministic(true);
        try (DnnlBackend blocked = new DnnlBackend(options, true); DnnlBackend canonical = new DnnlBackend(options, false);
             CompiledModel a = new CompiledModel(features, blocked, null); CompiledModel b = new CompiledModel(features, canonical, null)) {
            assumeTrue(blocked.blocked(DType.F32) != null, "oneDNN's convolution prefers no blocked format on this machine");
            a.initialize(4);
            b.initialize(4);
            assertNull(a.testStep(new float[][] {batch}, null, null).probs(), "a 4-D output has no softmax");
            b.testStep(new float[][] {batch}, null, null);
            float[] got = a.output(0), want = b.output(0);
            assertEquals(BATCH * 12 * 4 * 4, want.length);
            for (int i = 0; i < want.length; i++) assertClose("feature " + i, want[i], got[i]);
        }
    }

    /** The logits read back by output(0) are those the probabilities were computed from: softmax(logits) = probs. */
    @Test
    void logitsOfTheLastStepGiveItsProbabilities() {
        Model model = ModelRegistry.create("mnist_cnn");
        float[] batch = new float[BATCH * 28 * 28];
        Random rnd = new Random(11);
        for (int i = 0; i < batch.length; i++) batch[i] = (float) rnd.nextGaussian();
        try (DnnlBackend engine = new DnnlBackend(BackendOptions.defaults(), true);
             CompiledModel m = new CompiledModel(model, engine, null)) {
            m.initialize(2);
            float[] probs = m.testStep(new float[][] {batch}, null, null).probs();
            float[] logits = m.output(0);
            assertEquals(probs.length, logits.length);
            for (int n = 0; n < BATCH; n++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int k = 0; k < 10; k++) max = Math.max(max, logits[n * 10 + k]);
                for (int k = 0; k < 10; k++) sum += Math.exp(logits[n * 10 + k] - max);
                for (int k = 0; k < 10; k++) {
                    assertClose("softmax of logits [" + n + ", " + k + "]", Math.exp(logits[n * 10 + k] - max) / sum, probs[n * 10 + k]);
                }
            }
        }
    }

    record Run(float[] losses, float[] probs, Map<String, float[]> params) {}

    private static Run train(Model model, Backend engine) { return train(model, engine, Precision.FP32); }

    /** {@value #STEPS} SGD steps under {@code precision} on one fixed random batch, then inference on it. */
    static Run train(Model model, Backend engine, Precision precision) {
        Random rnd = new Random(5);
        int classes = model.outputs().get(0).shape().dim(-1);
        float[][] inputs = new float[model.inputs().size()][];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = new float[(int) (model.inputs().get(i).shape().size() * BATCH)];
            for (int k = 0; k < inputs[i].length; k++) inputs[i][k] = (float) rnd.nextGaussian();
        }
        float[] labels = new float[BATCH];
        for (int i = 0; i < BATCH; i++) labels[i] = rnd.nextInt(classes);
        try (CompiledModel m = new CompiledModel(model, engine, new SgdUpdate(0.9f, false), precision)) {
            m.initialize(3);
            float[] losses = new float[STEPS];
            for (int s = 0; s < STEPS; s++) losses[s] = m.trainStep(inputs, labels, Labels.SPARSE, 0.05f).loss();
            float[] probs = m.testStep(inputs, null, null).probs();
            return new Run(losses, probs, m.parameters());
        }
    }

    private static void assertClose(String what, double expected, double actual) {
        assertTrue(Math.abs(expected - actual) <= TOL * (1 + Math.abs(expected)),
                () -> what + ": canonical layouts give " + expected + ", blocked layouts " + actual);
    }
}
