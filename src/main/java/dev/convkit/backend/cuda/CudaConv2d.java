package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.KernelGeometry.BLOCK;
import static dev.convkit.backend.cuda.KernelGeometry.align;
import static dev.convkit.backend.cuda.KernelGeometry.elementwiseGrid;
import static org.bytedeco.cuda.global.cudnn.cudnnAddTensor;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionBackwardBias;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionBackwardData;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionBackwardFilter;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionForward;

import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Conv2dBwdData;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.tensor.TensorSpec;
import java.util.List;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;

/**
 * Convolution kernels on cuDNN: forward, backward-data and backward-filter (with the bias gradient). Descriptors and
 * the measured algorithm are fixed at compile time. Asymmetric padding is staged through scratch as
 * {@link ConvGeometry} explains, so scratch = [staged tensor, 256-aligned][cuDNN workspace].
 */
@SuppressWarnings("deprecation")  // cuDNN 9 marks its legacy API deprecated; it is supported throughout 9.x
final class CudaConv2d {
    private CudaConv2d() {}

    static CudaKernel forward(CudaBackend b, Conv2d op, List<TensorSpec> in) { return new Forward(b, op, in); }

    static CudaKernel backwardData(CudaBackend b, Conv2dBwdData op, List<TensorSpec> in) { return new BackwardData(b, op, in); }

    static CudaKernel backwardFilter(CudaBackend b, Conv2dBwdFilter op, List<TensorSpec> in) { return new BackwardFilter(b, op, in); }

    /** pad2d_f32 from a src [N, C, H, W] into the staged tensor, constant arguments set; pointers are set per run. */
    private static Launch padLaunch(CudaKernel k, ConvGeometry g) {
        return k.launch(DeviceFunction.PAD2D_F32).i64(2, (long) g.n() * g.c()).i32(3, g.h()).i32(4, g.w())
                .i32(5, g.stagedH()).i32(6, g.stagedW()).i32(7, g.extraTop()).i32(8, g.extraLeft());
    }

    private static int stagedGrid(ConvGeometry g) { return elementwiseGrid((long) g.n() * g.c() * g.stagedH() * g.stagedW()); }

    /** Conv2d: dst = conv(src, weights) (+ bias broadcast over N, H, W via cudnnAddTensor). */
    private static final class Forward extends CudaKernel {
        private final ConvGeometry g;
        private final ConvDescriptors d;
        private final ConvAlgorithms.Choice algo;
        private final cudnnTensorStruct biasDesc;
        private final Launch pad;
        private final long workspaceOffset;
        private final DevicePointer x = new DevicePointer(), w = new DevicePointer(), y = new DevicePointer(),
                bias = new DevicePointer(), workspace = new DevicePointer();

        Forward(CudaBackend backend, Conv2d op, List<TensorSpec> inputs) {
            super(backend, op, inputs);
            g = ConvGeometry.of(op.window(), inputs.get(0).shape(), inputs.get(1).shape(), op.groups());
            CudnnDescriptors set = descriptors();
            d = ConvDescriptors.create(set, g, op, inputs);
            biasDesc = op.bias() ? set.tensor(1, g.o(), 1, 1) : null;
            algo = ConvAlgorithms.forward(backend, d, g, op, inputs);
            pad = g.staged() ? padLaunch(this, g) : null;
            workspaceOffset = align(g.stagedBytes());
            scratchBytes(workspaceOffset + algo.workspaceBytes());
        }

        @Override protected void execute() {
            long src = in[0];
            if (pad != null) {
                pad.pointer(0, scratch).pointer(1, in[0]).enqueue(stagedGrid(g), BLOCK);
                src = scratch;
            }
            Check.cudnn(cudnnConvolutionForward(backend.cudnn(), backend.one(), d.x(), x.at(src), d.w(), w.at(in[1]),
                    d.conv(), algo.algorithm(), workspace.at(scratch + workspaceOffset), algo.workspaceBytes(),
                    backend.zero(), d.y(), y.at(out[0])), "cudnnConvolutionForward", op(), inputs());
            if (biasDesc != null) {
                Check.cudnn(cudnnAddTensor(backend.cudnn(), backend.one(), biasDesc, bias.at(in[2]), backend.one(), d.y(), y),
                        "cudnnAddTensor(bias)", op(), inputs());
            }
        }
    }

    /** Conv2dBwdData: diffSrc from (diffDst, weights); with staging, the staged gradient is cropped into diffSrc. */
    private static final class BackwardData extends CudaKernel {
        private final ConvGeometry g;
        private final ConvDescriptors d;
        private final ConvAlgorithms.Choice algo;
        private final Launch crop;
        private final long workspaceOffset;
        private final DevicePointer dy = new DevicePointer(), w = new DevicePointer(), dx = new DevicePointer(),
                workspace = new DevicePointer();

        BackwardData(CudaBackend backend, Conv2dBwdData op, List<TensorSpec> inputs) {
            super(backend, op, inputs);
            g = ConvGeometry.of(op.window(), op.srcShape(), inputs.get(1).shape(), op.groups());
            d = ConvDescriptors.create(descriptors(), g, op, inputs);
            algo = ConvAlgorithms.backwardData(backend, d, g, op, inputs);
            crop = g.staged() ? launch(DeviceFunction.CROP2D_F32).i64(2, (long) g.n() * g.c()).i32(3, g.stagedH())
                    .i32(4, g.stagedW()).i32(5, g.h()).i32(6, g.w()).i32(7, g.extraTop()).i32(8, g.extraLeft()) : null;
            workspaceOffset = align(g.stagedBytes());
            scratchBytes(workspaceOffset + algo.workspaceBytes());
        }

        @Override protected void execute() {
            long target = crop != null ? scratch : out[0];
            Check.cudnn(cudnnConvolutionBackwardData(backend.cudnn(), backend.one(), d.w(), w.at(in[1]), d.y(), dy.at(in[0]),
                    d.conv(), algo.algorithm(), workspace.at(scratch + workspaceOffset), algo.workspaceBytes(),
                    backend.zero(), d.x(), dx.at(target)), "cudnnConvolutionBackwardData", op(), inputs());
            if (crop != null) crop.pointer(0, out[0]).pointer(1, scratch).enqueue(elementwiseGrid(g.srcBytes() / 4), BLOCK);
        }
    }

    /** Conv2dBwdFilter: diffWeights from (src, diffDst), and diffBias = sum of diffDst over N, H, W. */
    private static final class BackwardFilter extends CudaKernel {
        private final ConvGeometry g;
        private final ConvDescriptors d;
        private final ConvAlgorithms.Choice algo;
        private final cudnnTensorStruct biasDesc;
        private final Launch pad;
        private final long workspaceOffset;
        private final DevicePointer x = new DevicePointer(), dy = new DevicePointer(), dw = new DevicePointer(),
                db = new DevicePointer(), workspace = new DevicePointer();

        BackwardFilter(CudaBackend backend, Conv2dBwdFilter op, List<TensorSpec> inputs) {
            super(backend, op, inputs);
            g = ConvGeometry.of(op.window(), inputs.get(0).shape(), op.weightShape(), op.groups());
            CudnnDescriptors set = descriptors();
            d = ConvDescriptors.create(set, g, op, inputs);
            biasDesc = op.bias() ? set.tensor(1, g.o(), 1, 1) : null;
            algo = ConvAlgorithms.backwardFilter(backend, d, g, op, inputs);
            pad = g.staged() ? padLaunch(this, g) : null;
            workspaceOffset = align(g.stagedBytes());
            scratchBytes(workspaceOffset + algo.workspaceBytes());
        }

        @Override protected void execute() {
            long src = in[0];
            if (pad != null) {
                pad.pointer(0, scratch).pointer(1, in[0]).enqueue(stagedGrid(g), BLOCK);
                src = scratch;
            }
            Check.cudnn(cudnnConvolutionBackwardFilter(backend.cudnn(), backend.one(), d.x(), x.at(src), d.y(), dy.at(in[1]),
                    d.conv(), algo.algorithm(), workspace.at(scratch + workspaceOffset), algo.workspaceBytes(),
                    backend.zero(), d.w(), dw.at(out[0])), "cudnnConvolutionBackwardFilter", op(), inputs());
            if (biasDesc != null) {
                Check.cudnn(cudnnConvolutionBackwardBias(backend.cudnn(), backend.one(), d.y(), dy, backend.zero(), biasDesc,
                        db.at(out[1])), "cudnnConvolutionBackwardBias", op(), inputs());
            }
        }
    }
}
