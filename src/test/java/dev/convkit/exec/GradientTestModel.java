package dev.convkit.exec;

import dev.convkit.graph.Input;
import dev.convkit.graph.Model;
import dev.convkit.graph.ParamKind;
import dev.convkit.graph.ParamSpec;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Activation;
import dev.convkit.layers.Add;
import dev.convkit.layers.BatchNormalization;
import dev.convkit.layers.Concatenate;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.DepthwiseConv2D;
import dev.convkit.layers.Flatten;
import dev.convkit.layers.GlobalAveragePooling2D;
import dev.convkit.layers.LeakyReLU;
import dev.convkit.layers.MaxPooling2D;
import dev.convkit.layers.Padding;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The small model of the whole-program gradient checks, using every layer kind a CNN training step needs:
 *
 * <pre>
 * image (3, 8, 8)
 *  └ down: conv 3x3 stride 2, TF 'same' (pads 0 before, 1 after) + l2 → (4, 4, 4) ─ down_bn (BN) ─ down_relu = x
 *  x ─ res_conv 3x3 'same' ─ res_bn ─┐
 *  x ────────────────────────────────┴ res_add (residual Add) ─ res_relu = r (4, 4, 4)
 *  x ─ side: conv 1x1 valid ─ side_leaky: LeakyReLU 0.3 (2, 4, 4)
 *  x ─ dw: DepthwiseConv2D 3x3 'same', multiplier 2 (8, 4, 4) ─ dw_relu6 ─ dw_project: conv 1x1 in 2 groups (2, 4, 4)
 *  cat = Concatenate(r, side, dw_project) (8, 4, 4)
 *  cat ─ pool: max-pool 2 (8, 2, 2) ─ flat: Flatten (32)  ┐
 *  cat ─ gap: global average pool (8)                     ┴ features: Concatenate (40) ─ dense (5) + l2 → logits
 * </pre>
 *
 * BN momentum 0.8, so one step visibly moves the moving statistics.
 */
final class GradientTestModel {
    static final int CLASSES = 5;
    static final float L2 = 0.01f;

    private GradientTestModel() {}

    static Model build() {
        SymbolicTensor image = Input.of("image", 3, 8, 8);
        SymbolicTensor x = new Conv2D("down", 4, 3).strides(2).padding(Padding.SAME).kernelRegularizerL2(L2).apply(image);
        x = new BatchNormalization("down_bn").momentum(0.8f).apply(x);
        x = Activation.relu("down_relu").apply(x);
        SymbolicTensor y = new Conv2D("res_conv", 4, 3).padding(Padding.SAME).apply(x);
        y = new BatchNormalization("res_bn").momentum(0.8f).apply(y);
        SymbolicTensor r = Activation.relu("res_relu").apply(new Add("res_add").apply(x, y));
        SymbolicTensor side = new LeakyReLU("side_leaky").apply(new Conv2D("side", 2, 1).apply(x));
        SymbolicTensor dw = new DepthwiseConv2D("dw", 3).depthMultiplier(2).padding(Padding.SAME).apply(x);
        dw = new Conv2D("dw_project", 2, 1).groups(2).apply(new Activation("dw_relu6", "relu6").apply(dw));
        SymbolicTensor cat = new Concatenate("cat").apply(r, side, dw);
        SymbolicTensor flat = new Flatten("flat").apply(new MaxPooling2D("pool", 2).apply(cat));
        SymbolicTensor gap = new GlobalAveragePooling2D("gap").apply(cat);
        SymbolicTensor features = new Concatenate("features").apply(flat, gap);
        SymbolicTensor logits = new Dense("dense", CLASSES).kernelRegularizerL2(L2).apply(features);
        return new Model("gradient_check", image, logits);
    }

    /**
     * Seeded parameter values, each rounded to f32 so an engine and the float64 reference start from identical
     * numbers: kernels uniform ±1/√fanIn·√3 (unit-variance outputs), biases and betas ±0.2, gammas in [0.5, 1.5],
     * moving means ±0.1, moving variances in [0.5, 1.5].
     */
    static Map<String, double[]> parameters(Model m, long seed) {
        Random rnd = new Random(seed);
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, ParamSpec> e : m.params().entrySet()) {
            ParamSpec p = e.getValue();
            int n = (int) p.count();
            double[] v = switch (p.kind()) {
                case KERNEL -> {
                    long fanIn = p.shape().rank() == 4 ? (long) p.shape().dim(1) * p.shape().dim(2) * p.shape().dim(3) : p.shape().dim(0);
                    double lim = Math.sqrt(3.0 / fanIn);
                    yield uniform(rnd, n, -lim, lim);
                }
                case BIAS, BETA -> uniform(rnd, n, -0.2, 0.2);
                case GAMMA -> uniform(rnd, n, 0.5, 1.5);
                case MOVING_MEAN -> uniform(rnd, n, -0.1, 0.1);
                case MOVING_VARIANCE -> uniform(rnd, n, 0.5, 1.5);
            };
            out.put(e.getKey(), v);
        }
        return out;
    }

    static boolean trainable(Model m, String name) {
        ParamKind k = m.params().get(name).kind();
        return k.trainable();
    }

    static double[] uniform(Random rnd, int n, double lo, double hi) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        return a;
    }

    static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
