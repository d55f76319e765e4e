package dev.convkit.backend.dnnl;

import dev.convkit.ops.DropoutOp;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.TensorSpec;
import java.nio.FloatBuffer;

/**
 * Inverted dropout as a host loop: oneDNN's dropout attribute draws its own random numbers, whereas ConvKit's mask
 * must be {@link DropoutOp#mask}'s pure function of (seed, step counter, element index) in every engine. The index is
 * the element's canonical (row-major NCHW) position; a blocked input is walked in its physical order, each position
 * mapped back to that index, and its padded channels get zero in both outputs.
 */
final class DnnlDropout {
    private DnnlDropout() {}

    /** (src, counter (1,)) → (dst = src · mask, mask) with mask[i] = keep ? 1 / (1 − rate) : 0. */
    static void forward(DnnlKernelBuilder b, DropoutOp op) {
        int n = b.hostLoopLength(0);
        HostThreads threads = b.backend().hostThreads();
        TensorSpec x = b.inputs.get(0);
        CanonicalIndex index = x.layout() == Layout.ENGINE ? blockedIndex(x, b.backend().blocked(x.dtype())) : p -> p;
        b.host((src, dst, scratch) -> {
            FloatBuffer in = src[0].floats(), y = dst[0].floats(), mask = dst[1].floats();
            long counter = (long) src[1].floats().get(0);
            threads.forRange(n, (from, to) -> {
                for (int p = from; p < to; p++) {
                    long i = index.of(p);
                    float m = i >= 0 ? op.mask(counter, i) : 0f;
                    mask.put(p, m);
                    y.put(p, i >= 0 ? in.get(p) * m : 0f);
                }
            });
        });
    }

    /** Canonical element index of physical position p, or −1 for padding. */
    @FunctionalInterface
    private interface CanonicalIndex {
        long of(int p);
    }

    /** [N, ⌈C/block⌉, H, W, block] positions → row-major NCHW indices. */
    private static CanonicalIndex blockedIndex(TensorSpec x, DnnlBlockedFormat format) {
        long c = x.dim(1), h = x.dim(2), w = x.dim(3);
        int block = format.block(c);
        long blocks = format.paddedChannels(c) / block;
        return p -> {
            long inner = p % block, rest = p / block;
            long col = rest % w;
            rest /= w;
            long row = rest % h;
            rest /= h;
            long channel = (rest % blocks) * block + inner, sample = rest / blocks;
            return channel >= c ? -1 : ((sample * c + channel) * h + row) * w + col;
        };
    }
}
