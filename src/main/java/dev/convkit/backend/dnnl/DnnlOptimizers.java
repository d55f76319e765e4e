package dev.convkit.backend.dnnl;

import dev.convkit.ops.AdamUpdate;
import dev.convkit.ops.RmsPropUpdate;
import dev.convkit.ops.SgdUpdate;
import java.nio.FloatBuffer;

/**
 * Keras optimizer steps as host loops over flat slices, in place, split over the host threads. The hyper input
 * (2,) = [learning rate, step t] is read at run time, so one kernel serves every step and schedule.
 */
final class DnnlOptimizers {
    private DnnlOptimizers() {}

    /** (param, grad, velocity, hyper): v = μ·v − lr·g; p += v (nesterov: p += μ·v − lr·g); μ = 0: p −= lr·g. */
    static void sgd(DnnlKernelBuilder b, SgdUpdate op) {
        int n = length(b);
        float momentum = op.momentum();
        boolean nesterov = op.nesterov();
        HostThreads threads = b.backend().hostThreads();
        b.host((src, dst, scratch) -> {
            FloatBuffer p = src[0].floats(), g = src[1].floats(), v = src[2].floats();
            float lr = src[3].floats().get(0);
            threads.forRange(n, (from, to) -> {
                if (momentum == 0f) {
                    for (int i = from; i < to; i++) p.put(i, p.get(i) - lr * g.get(i));
                    return;
                }
                for (int i = from; i < to; i++) {
                    float gi = g.get(i);
                    float vi = momentum * v.get(i) - lr * gi;
                    v.put(i, vi);
                    p.put(i, p.get(i) + (nesterov ? momentum * vi - lr * gi : vi));
                }
            });
        });
    }

    /** (param, grad, m, v, hyper): Keras Adam with the bias correction folded into the step size. */
    static void adam(DnnlKernelBuilder b, AdamUpdate op) {
        int n = length(b);
        float beta1 = op.beta1(), beta2 = op.beta2(), epsilon = op.epsilon();
        HostThreads threads = b.backend().hostThreads();
        b.host((src, dst, scratch) -> {
            FloatBuffer p = src[0].floats(), g = src[1].floats(), m = src[2].floats(), v = src[3].floats();
            FloatBuffer hyper = src[4].floats();
            double t = hyper.get(1);
            float step = (float) (hyper.get(0) * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t)));
            threads.forRange(n, (from, to) -> {
                for (int i = from; i < to; i++) {
                    float gi = g.get(i);
                    float mi = beta1 * m.get(i) + (1 - beta1) * gi;
                    float vi = beta2 * v.get(i) + (1 - beta2) * gi * gi;
                    m.put(i, mi);
                    v.put(i, vi);
                    p.put(i, p.get(i) - step * mi / ((float) Math.sqrt(vi) + epsilon));
                }
            });
        });
    }

    /** (param, grad, meanSquare, hyper): ms = ρ·ms + (1−ρ)·g²; p −= lr·g / (√ms + ε). */
    static void rmsprop(DnnlKernelBuilder b, RmsPropUpdate op) {
        int n = length(b);
        float rho = op.rho(), epsilon = op.epsilon();
        HostThreads threads = b.backend().hostThreads();
        b.host((src, dst, scratch) -> {
            FloatBuffer p = src[0].floats(), g = src[1].floats(), ms = src[2].floats();
            float lr = src[3].floats().get(0);
            threads.forRange(n, (from, to) -> {
                for (int i = from; i < to; i++) {
                    float gi = g.get(i);
                    float si = rho * ms.get(i) + (1 - rho) * gi * gi;
                    ms.put(i, si);
                    p.put(i, p.get(i) - lr * gi / ((float) Math.sqrt(si) + epsilon));
                }
            });
        });
    }

    private static int length(DnnlKernelBuilder b) { return b.hostLoopLength(0); }
}
