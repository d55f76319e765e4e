package dev.convkit.backend.dnnl;

import dev.convkit.ops.EmaUpdate;
import dev.convkit.ops.OptimizerUpdate;
import java.nio.FloatBuffer;

/**
 * Keras optimizer steps and the weights' moving average as host loops over flat slices, in place, split over the host threads. The arithmetic is
 * the op's own {@link OptimizerUpdate#update} (its one definition). The hyper input (2,) = [learning rate, step t]
 * is read at run time, so one kernel serves every step and schedule.
 */
final class DnnlOptimizers {
    private DnnlOptimizers() {}

    /** (param, grad, state..., hyper): {@code op.update} over [0, n) in chunks, one per host thread. */
    static void update(DnnlKernelBuilder b, OptimizerUpdate op) {
        int n = b.hostLoopLength(0);
        int slices = 2 + op.stateNames().size();
        HostThreads threads = b.backend().hostThreads();
        FloatBuffer[] s = new FloatBuffer[slices];   // refilled per run: a kernel runs on one thread at a time
        b.host((src, dst, scratch) -> {
            for (int i = 0; i < slices; i++) s[i] = src[i].floats();
            FloatBuffer hyper = src[slices].floats();
            float lr = hyper.get(0), t = hyper.get(1);
            threads.forRange(n, (from, to) -> op.update(s, lr, t, from, to));
        });
    }

    /** (average, value, hyper): {@code op.update} over [0, n) in chunks, one per host thread. */
    static void ema(DnnlKernelBuilder b, EmaUpdate op) {
        int n = b.hostLoopLength(0);
        HostThreads threads = b.backend().hostThreads();
        b.host((src, dst, scratch) -> {
            FloatBuffer average = src[0].floats(), value = src[1].floats();
            float t = src[2].floats().get(1);
            threads.forRange(n, (from, to) -> op.update(average, value, t, from, to));
        });
    }
}
