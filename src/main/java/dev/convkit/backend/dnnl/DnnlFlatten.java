package dev.convkit.backend.dnnl;

import dev.convkit.ops.FlattenOp;
import dev.convkit.ops.Unflatten;
import dev.convkit.tensor.Shape;
import org.bytedeco.dnnl.dnnl_memory_desc;

/**
 * Keras Flatten/Unflatten as one reorder: the [N, H·W·C] side is described as [N, C, H, W] with NHWC strides, so
 * oneDNN's reorder performs the NCHW ↔ NHWC permutation. [N, K] tensors are copied unchanged.
 */
final class DnnlFlatten {
    private DnnlFlatten() {}

    /** [N, C, H, W] → [N, H·W·C] in (h, w, c) order; [N, K] → [N, K]. */
    static void flatten(DnnlKernelBuilder b, FlattenOp op) {
        Shape x = b.inputs.get(0).shape();
        if (x.rank() == 2) {
            b.reorder(b.src(0), b.dst(0));
        } else {
            b.reorder(b.src(0), b.dst(0, channelsLast(b, x)));
        }
    }

    /** [N, H·W·C] in (h, w, c) order → [N, C, H, W]; [N, K] → [N, K]. */
    static void unflatten(DnnlKernelBuilder b, Unflatten op) {
        Shape y = op.dstShape();
        if (y.rank() == 2) {
            b.reorder(b.src(0), b.dst(0));
        } else {
            b.reorder(b.src(0, channelsLast(b, y)), b.dst(0));
        }
    }

    /** Logical [N, C, H, W] stored as NHWC: the flattened buffer seen as a 4-D tensor. */
    private static dnnl_memory_desc channelsLast(DnnlKernelBuilder b, Shape s) {
        long n = s.dim(0), c = s.dim(1), h = s.dim(2), w = s.dim(3);
        return b.strided(b.type(0), new long[] {n, c, h, w}, new long[] {h * w * c, 1, w * c, c});
    }
}
