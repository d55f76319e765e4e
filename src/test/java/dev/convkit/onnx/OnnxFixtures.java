package dev.convkit.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.Backends;
import dev.convkit.exec.CompiledModel;
import dev.convkit.graph.Model;
import dev.convkit.graph.ParamSpec;
import dev.convkit.graph.SymbolicTensor;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Shared by the ONNX tests: random weights with non-trivial BN statistics, and logits from ConvKit and ONNX Runtime. */
final class OnnxFixtures {
    private OnnxFixtures() {}

    /**
     * Every parameter drawn from its initializer, then BN state made non-trivial: gamma in [0.5, 1.5], beta and
     * moving_mean in [-0.1, 0.1], moving_variance in [0.5, 1.5], biases in [-0.1, 0.1] (zero-initialised otherwise,
     * which would hide a dropped or misplaced bias).
     */
    static Map<String, float[]> randomParams(Model model, long seed) {
        Map<String, float[]> out = new LinkedHashMap<>();
        SplittableRandom rng = new SplittableRandom(seed);
        for (Map.Entry<String, ParamSpec> e : model.params().entrySet()) {
            ParamSpec p = e.getValue();
            float[] v = new float[(int) p.count()];
            switch (p.kind()) {
                case KERNEL -> p.init().fill(v, p.shape(), rng.split());
                case GAMMA, MOVING_VARIANCE -> { for (int i = 0; i < v.length; i++) v[i] = (float) (0.5 + rng.nextDouble()); }
                default -> { for (int i = 0; i < v.length; i++) v[i] = (float) (0.2 * rng.nextDouble() - 0.1); }
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    /** Input i of the model at this batch size, uniform in [-1, 1). */
    static float[][] randomInputs(Model model, int batch, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] xs = new float[model.inputs().size()][];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = new float[(int) (batch * model.inputs().get(i).shape().size())];
            for (int j = 0; j < xs[i].length; j++) xs[i][j] = (float) (2 * rng.nextDouble() - 1);
        }
        return xs;
    }

    /** Output 0 of ConvKit's inference program on the cpu engine, [N, ...] row-major. */
    static float[] convkitLogits(Model model, Map<String, float[]> params, float[][] inputs) {
        try (Backend cpu = Backends.open("cpu", BackendOptions.defaults().withDeterministic(true));
             CompiledModel cm = new CompiledModel(model, cpu, null)) {
            cm.loadParameters(params);
            cm.testStep(inputs, null, null);
            return cm.output(0);
        }
    }

    /** Output {@code outputName} of ONNX Runtime (CPU) on the serialised model, inputs in the model's input order. */
    static float[] ortOutput(byte[] onnx, Model model, float[][] inputs, int batch, String outputName) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(2);
            try (OrtSession s = env.createSession(onnx, so)) {
                Map<String, OnnxTensor> feed = new HashMap<>();
                try {
                    List<SymbolicTensor> ins = model.inputs();
                    for (int i = 0; i < ins.size(); i++) {
                        int[] d = ins.get(i).shape().dims();
                        long[] shape = new long[d.length + 1];
                        shape[0] = batch;
                        for (int k = 0; k < d.length; k++) shape[k + 1] = d[k];
                        feed.put(ins.get(i).node().layer().name(), OnnxTensor.createTensor(env, FloatBuffer.wrap(inputs[i]), shape));
                    }
                    try (OrtSession.Result r = s.run(feed)) {
                        OnnxTensor t = (OnnxTensor) r.get(outputName).orElseThrow();
                        FloatBuffer fb = t.getFloatBuffer();
                        float[] out = new float[fb.remaining()];
                        fb.get(out);
                        return out;
                    }
                } finally {
                    for (OnnxTensor t : feed.values()) t.close();
                }
            }
        }
    }

    /** max |a − b| / max |b|: the error relative to the output's scale. */
    static double relativeError(float[] got, float[] want) {
        if (got.length != want.length) throw new AssertionError("lengths differ: " + got.length + " vs " + want.length);
        double maxDiff = 0, scale = 0;
        for (int i = 0; i < got.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
            scale = Math.max(scale, Math.abs(want[i]));
        }
        return maxDiff / Math.max(scale, 1e-30);
    }
}
