package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.KernelGeometry.BLOCK;
import static dev.convkit.backend.cuda.KernelGeometry.elementwiseGrid;

import dev.convkit.backend.BackendException;
import dev.convkit.backend.Kernel;
import dev.convkit.ops.Concat;
import dev.convkit.ops.Crop2d;
import dev.convkit.ops.FlattenOp;
import dev.convkit.ops.Op;
import dev.convkit.ops.Scale;
import dev.convkit.ops.SplitOp;
import dev.convkit.ops.Unflatten;
import dev.convkit.ops.ZeroPad2d;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Data movement (native/kernels/layout.cu): Concat and Split along channels, Keras Flatten / Unflatten (per-sample
 * NHWC feature order), ZeroPad2d and Crop2d, and the canonical-to-canonical reorder (a copy; this engine keeps every
 * tensor canonical).
 */
final class CudaLayout {
    private CudaLayout() {}

    static CudaKernel concat(CudaBackend b, Concat op, List<TensorSpec> in) {
        TensorSpec out = op.outputs(in).get(0);
        return new ChannelCopies(b, op, in, in, out, true);
    }

    static CudaKernel split(CudaBackend b, SplitOp op, List<TensorSpec> in) {
        return new ChannelCopies(b, op, in, op.outputs(in), in.get(0), false);
    }

    static CudaKernel flatten(CudaBackend b, FlattenOp op, List<TensorSpec> in) {
        TensorSpec x = in.get(0);
        if (x.rank() == 2) return new Copy(b, op, in);
        long spatial = (long) x.dim(2) * x.dim(3);  // nchw_to_nhwc_f32(dst, src, batch, channels, spatial)
        return new OneLaunch(b, op, in, DeviceFunction.NCHW_TO_NHWC_F32, elementwiseGrid(x.size()), l ->
                l.i64(2, x.dim(0)).i32(3, x.dim(1)).i64(4, spatial));
    }

    static CudaKernel unflatten(CudaBackend b, Unflatten op, List<TensorSpec> in) {
        if (op.dstShape().rank() != 4) return new Copy(b, op, in);
        int[] d = op.dstShape().dims();  // nhwc_to_nchw_f32(dst, src, batch, channels, spatial)
        return new OneLaunch(b, op, in, DeviceFunction.NHWC_TO_NCHW_F32, elementwiseGrid(op.dstShape().size()), l ->
                l.i64(2, d[0]).i32(3, d[1]).i64(4, (long) d[2] * d[3]));
    }

    static CudaKernel zeroPad(CudaBackend b, ZeroPad2d op, List<TensorSpec> in) {
        TensorSpec x = in.get(0), y = op.outputs(in).get(0);  // pad2d_f32(dst, src, planes, h, w, oh, ow, top, left)
        return new OneLaunch(b, op, in, DeviceFunction.PAD2D_F32, elementwiseGrid(y.size()), l ->
                l.i64(2, (long) x.dim(0) * x.dim(1)).i32(3, x.dim(2)).i32(4, x.dim(3)).i32(5, y.dim(2)).i32(6, y.dim(3))
                        .i32(7, op.top()).i32(8, op.left()));
    }

    static CudaKernel crop(CudaBackend b, Crop2d op, List<TensorSpec> in) {
        TensorSpec x = in.get(0), y = op.outputs(in).get(0);  // crop2d_f32(dst, src, planes, h, w, oh, ow, top, left)
        return new OneLaunch(b, op, in, DeviceFunction.CROP2D_F32, elementwiseGrid(y.size()), l ->
                l.i64(2, (long) x.dim(0) * x.dim(1)).i32(3, x.dim(2)).i32(4, x.dim(3)).i32(5, y.dim(2)).i32(6, y.dim(3))
                        .i32(7, op.top()).i32(8, op.left()));
    }

    /** Both specs must be canonical f32 of one shape; the kernel is a device-to-device copy. */
    static Kernel reorder(CudaBackend b, TensorSpec from, TensorSpec to) {
        if (from.layout() != Layout.CANONICAL || to.layout() != Layout.CANONICAL || !from.shape().equals(to.shape())
                || from.dtype() != to.dtype()) {
            throw new BackendException(Check.ENGINE, "reorder " + from + " -> " + to + " is not supported: the cuda engine"
                    + " keeps every tensor canonical, so only canonical copies of one shape and type exist");
        }
        // Scale(1) is the identity op with the right shape rule; the kernel copies rather than multiplies.
        return new Copy(b, new Scale(1f), List.of(from));
    }

    /** dst = src byte for byte (Flatten / Unflatten of [N, K], reorder). */
    private static final class Copy extends CudaKernel {
        private final long bytes;

        Copy(CudaBackend backend, Op op, List<TensorSpec> inputs) {
            super(backend, op, inputs);
            bytes = inputs.get(0).bytes();
        }

        @Override protected void execute() { copy(out[0], in[0], bytes); }
    }

    /**
     * Concat (parts are the inputs, whole the output) or Split (parts are the outputs, whole the input): one
     * copy_channels_f32 launch per part, at the part's channel offset in the whole.
     */
    private static final class ChannelCopies extends CudaKernel {
        private final Launch[] copies;
        private final int[] grids;
        private final boolean intoWhole;

        ChannelCopies(CudaBackend backend, Op op, List<TensorSpec> inputs, List<TensorSpec> parts, TensorSpec whole,
                      boolean intoWhole) {
            super(backend, op, inputs);
            this.intoWhole = intoWhole;
            copies = new Launch[parts.size()];
            grids = new int[parts.size()];
            long spatial = whole.rank() == 4 ? (long) whole.dim(2) * whole.dim(3) : 1;
            int offset = 0;
            for (int i = 0; i < parts.size(); i++) {
                int c = parts.get(i).dim(1);
                // copy_channels_f32(dst, src, batch, spatial, channels, dst_channels, dst_offset, src_channels, src_offset)
                Launch l = launch(DeviceFunction.COPY_CHANNELS_F32).i64(2, whole.dim(0)).i64(3, spatial).i32(4, c);
                if (intoWhole) l.i32(5, whole.dim(1)).i32(6, offset).i32(7, c).i32(8, 0);
                else l.i32(5, c).i32(6, 0).i32(7, whole.dim(1)).i32(8, offset);
                copies[i] = l;
                grids[i] = elementwiseGrid(parts.get(i).size());
                offset += c;
            }
        }

        @Override protected void execute() {
            for (int i = 0; i < copies.length; i++) {
                if (intoWhole) copies[i].pointer(0, out[0]).pointer(1, in[i]);
                else copies[i].pointer(0, out[i]).pointer(1, in[0]);
                copies[i].enqueue(grids[i], BLOCK);
            }
        }
    }
}
