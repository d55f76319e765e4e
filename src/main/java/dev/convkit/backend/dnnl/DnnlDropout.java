package dev.convkit.backend.dnnl;

import dev.convkit.ops.Dropout;
import java.nio.FloatBuffer;

/**
 * Inverted dropout as a host loop: oneDNN's dropout attribute draws its own random numbers, whereas ConvKit's mask
 * must be {@link Dropout#keep}'s pure function of (seed, step counter, element index) in every engine.
 */
final class DnnlDropout {
    private DnnlDropout() {}

    /** (src, counter (1,)) → (dst = src · mask, mask) with mask[i] = keep ? 1 / (1 − rate) : 0. */
    static void forward(DnnlKernelBuilder b, Dropout op) {
        int n = b.hostLoopLength(0);
        float rate = op.rate();
        long seed = op.seed();
        float kept = 1f / (1f - rate);
        HostThreads threads = b.backend().hostThreads();
        b.host((src, dst, scratch) -> {
            FloatBuffer x = src[0].floats(), y = dst[0].floats(), mask = dst[1].floats();
            long counter = (long) src[1].floats().get(0);
            threads.forRange(n, (from, to) -> {
                for (int i = from; i < to; i++) {
                    float m = Dropout.keep(seed, counter, i, rate) ? kept : 0f;
                    mask.put(i, m);
                    y.put(i, x.get(i) * m);
                }
            });
        });
    }
}
