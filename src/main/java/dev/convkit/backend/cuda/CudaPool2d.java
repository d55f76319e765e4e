package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.KernelGeometry.BLOCK;
import static dev.convkit.backend.cuda.KernelGeometry.elementwiseGrid;

import dev.convkit.backend.Kernel;
import dev.convkit.ops.Pool2d;
import dev.convkit.ops.Pool2dBwd;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Max and average pooling with our kernels (native/kernels/pool.cu) rather than cuDNN: they take the op's explicit
 * asymmetric padding directly (cuDNN's pooling descriptor has one symmetric pad per axis, and zero-padding the input
 * would let padding win a max and count in averages), they send the max gradient to the first maximum in row-major
 * order as Pool2dBwd specifies, and their gather-style backward is deterministic.
 *
 * <p>Max pooling's forward kernel saves, per output element, the int32 position of its winner; the backward kernel
 * compiled with that forward kernel as hint reads it from the saved buffer, otherwise it recomputes it from src into
 * scratch first.
 */
final class CudaPool2d {
    private CudaPool2d() {}

    static CudaKernel forward(CudaBackend b, Pool2d op, List<TensorSpec> in) { return new Forward(b, op, in); }

    static CudaKernel backward(CudaBackend b, Pool2dBwd op, List<TensorSpec> in, Kernel forward) {
        return new Backward(b, op, in, forward);
    }

    /** Sets the shared shape arguments (from index {@code at}: planes, h, w, oh, ow, kh, kw, sh, sw, top, left). */
    private static Launch shape(Launch l, int at, Shape src, Window2d win) {
        return l.i64(at, (long) src.dim(0) * src.dim(1)).i32(at + 1, src.dim(2)).i32(at + 2, src.dim(3))
                .i32(at + 3, win.outH(src.dim(2))).i32(at + 4, win.outW(src.dim(3))).i32(at + 5, win.kernelH())
                .i32(at + 6, win.kernelW()).i32(at + 7, win.strideH()).i32(at + 8, win.strideW())
                .i32(at + 9, win.padTop()).i32(at + 10, win.padLeft());
    }

    static final class Forward extends CudaKernel {
        private final Pool2d pool;
        private final Shape src;
        private final Launch launch;
        private final int grid;

        Forward(CudaBackend backend, Pool2d op, List<TensorSpec> inputs) {
            super(backend, op, inputs);
            pool = op;
            src = inputs.get(0).shape();
            long outputs = outputs().get(0).size();
            grid = elementwiseGrid(outputs);
            if (op.kind() == Pool2d.Kind.MAX) {
                launch = shape(launch(DeviceFunction.MAX_POOL2D_FWD_F32), 3, src, op.window());
                savedBytes(4L * outputs);
            } else {
                launch = shape(launch(DeviceFunction.AVG_POOL2D_FWD_F32), 2, src, op.window());
            }
        }

        /** Whether a backward op of this kind, window and src shape can read this kernel's saved winners. */
        boolean savesWinnersFor(Pool2dBwd op, Shape srcShape) {
            return pool.kind() == Pool2d.Kind.MAX && op.kind() == Pool2d.Kind.MAX && pool.window().equals(op.window())
                    && src.equals(srcShape);
        }

        @Override protected void execute() {
            if (pool.kind() == Pool2d.Kind.MAX) {
                launch.pointer(0, out[0]).pointer(1, saved).pointer(2, in[0]);  // saved 0: winners not kept
            } else {
                launch.pointer(0, out[0]).pointer(1, in[0]);
            }
            launch.enqueue(grid, BLOCK);
        }
    }

    /** Pool2dBwd: (src, dst, diffDst) → diffSrc. */
    private static final class Backward extends CudaKernel {
        private final boolean max;
        private final boolean hinted;
        private final Launch winners;
        private final Launch launch;
        private final int outputGrid;
        private final int inputGrid;

        Backward(CudaBackend backend, Pool2dBwd op, List<TensorSpec> inputs, Kernel forward) {
            super(backend, op, inputs);
            Shape src = inputs.get(0).shape();
            max = op.kind() == Pool2d.Kind.MAX;
            long outputs = inputs.get(1).size();
            outputGrid = elementwiseGrid(outputs);
            inputGrid = elementwiseGrid(src.size());
            hinted = max && forward instanceof Forward f && f.savesWinnersFor(op, src);
            if (max) {
                launch = shape(launch(DeviceFunction.MAX_POOL2D_BWD_F32), 3, src, op.window());
                if (hinted) {
                    savedBytes(4L * outputs);
                    winners = null;
                } else {
                    winners = shape(launch(DeviceFunction.MAX_POOL2D_FWD_F32), 3, src, op.window()).pointer(0, 0);
                    scratchBytes(4L * outputs);
                }
            } else {
                launch = shape(launch(DeviceFunction.AVG_POOL2D_BWD_F32), 2, src, op.window());
                winners = null;
            }
        }

        @Override protected void execute() {
            if (!max) {
                launch.pointer(0, out[0]).pointer(1, in[2]).enqueue(inputGrid, BLOCK);
                return;
            }
            long at = saved;
            if (!hinted) {
                winners.pointer(1, scratch).pointer(2, in[0]).enqueue(outputGrid, BLOCK);
                at = scratch;
            } else if (saved == 0) {
                throw new IllegalArgumentException(op().name() + " was compiled with its forward kernel as hint and needs"
                        + " that kernel's saved buffer (" + savedBytes() + " bytes); none was passed");
            }
            launch.pointer(0, out[0]).pointer(1, in[2]).pointer(2, at).enqueue(inputGrid, BLOCK);
        }
    }
}
