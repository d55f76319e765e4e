package dev.convkit.backend.dnnl;

import dev.convkit.ops.L2Penalty;
import dev.convkit.ops.L2PenaltyBwd;
import java.nio.FloatBuffer;

/**
 * Keras l2 regularisation as host loops: the penalty λ·Σw² (accumulated in double) and its gradient 2·λ·dP·w. Both
 * run over the physical floats, so a blocked input works too: its padding is zero and adds nothing, and the gradient
 * (blocked like its input) gets zero padding.
 */
final class DnnlL2Penalty {
    private DnnlL2Penalty() {}

    /** weights → (1,) = λ·Σw². */
    static void forward(DnnlKernelBuilder b, L2Penalty op) {
        int n = b.hostLoopLength(0);
        double lambda = op.lambda();
        HostThreads threads = b.backend().hostThreads();
        b.host((src, dst, scratch) -> {
            FloatBuffer w = src[0].floats();
            double squares = threads.sum(n, (from, to) -> {
                double s = 0;
                for (int i = from; i < to; i++) {
                    double v = w.get(i);
                    s += v * v;
                }
                return s;
            });
            dst[0].floats().put(0, (float) (lambda * squares));
        });
    }

    /** (weights, dP (1,)) → 2·λ·dP·w. */
    static void backward(DnnlKernelBuilder b, L2PenaltyBwd op) {
        int n = b.hostLoopLength(0);
        float twiceLambda = 2f * op.lambda();
        HostThreads threads = b.backend().hostThreads();
        b.host((src, dst, scratch) -> {
            FloatBuffer w = src[0].floats(), dw = dst[0].floats();
            float factor = twiceLambda * src[1].floats().get(0);
            threads.forRange(n, (from, to) -> {
                for (int i = from; i < to; i++) dw.put(i, factor * w.get(i));
            });
        });
    }
}
