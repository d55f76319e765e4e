package dev.convkit.backend.dnnl;

import dev.convkit.ops.Crop2d;
import dev.convkit.ops.ZeroPad2d;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.javacpp.Pointer;

/**
 * Zero padding and cropping of H and W. Padding zeroes the output, then a reorder copies the source into the
 * interior window (a submemory descriptor) of it; cropping is a reorder from the window of the source. Windows cut
 * only H and W, so they work the same on blocked tensors (whose padded channels the zeroing also covers).
 */
final class DnnlPad2d {
    private DnnlPad2d() {}

    /** [N, C, H, W] → [N, C, top + H + bottom, left + W + right]. */
    static void pad(DnnlKernelBuilder b, ZeroPad2d op) {
        long[] inner = DnnlDescs.dims(b.inputs.get(0));
        dnnl_memory_desc window = b.submemory(b.outputDesc(0), inner, new long[] {0, 0, op.top(), op.left()});
        long bytes = b.backend().sizeOf(b.outputs.get(0));
        NativeAddress target = new NativeAddress();
        b.host((src, dst, scratch) -> Pointer.memset(target.at(dst[0].address()), 0, bytes));
        b.reorder(b.srcWork(0), b.dst(0, window));
    }

    /** [N, C, H, W] → [N, C, H − top − bottom, W − left − right]. */
    static void crop(DnnlKernelBuilder b, Crop2d op) {
        long[] kept = DnnlDescs.dims(b.outputs.get(0));
        dnnl_memory_desc window = b.submemory(b.inputDesc(0), kept, new long[] {0, 0, op.top(), op.left()});
        // the input and the output share one layout (the policy keeps a blocked input blocked)
        b.reorder(b.src(0, window), b.dst(0));
    }
}
