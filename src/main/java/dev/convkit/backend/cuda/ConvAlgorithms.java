package dev.convkit.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaMemGetInfo;
import static org.bytedeco.cuda.global.cudart.cudaMemsetAsync;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DETERMINISTIC;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
import static org.bytedeco.cuda.global.cudnn.cudnnFindConvolutionBackwardDataAlgorithmEx;
import static org.bytedeco.cuda.global.cudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx;
import static org.bytedeco.cuda.global.cudnn.cudnnFindConvolutionForwardAlgorithmEx;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionBackwardDataAlgorithmMaxCount;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionBackwardFilterAlgorithmMaxCount;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionForwardAlgorithmMaxCount;

import dev.convkit.backend.BackendException;
import dev.convkit.ops.Op;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdDataAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdFilterAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * Chooses a cuDNN convolution algorithm once per shape, at compile time, by measuring (cudnnFind*AlgorithmEx) on
 * temporary device buffers, and caches the choice per engine. Candidates must succeed, need at most
 * {@code BackendOptions.scratchLimitBytes} of workspace, use no tensor-op math (which would round FP32 to TF32), and,
 * with {@code BackendOptions.deterministic}, be deterministic. The fastest such candidate wins.
 */
@SuppressWarnings("deprecation")  // cuDNN 9 marks its legacy API deprecated; it is supported throughout 9.x
final class ConvAlgorithms {
    /** A chosen algorithm and the workspace it needs. */
    record Choice(int algorithm, long workspaceBytes, float milliseconds) {}

    /** One measured candidate, as cuDNN reports it for any direction. */
    private record Candidate(int algorithm, int status, float milliseconds, long memory, int determinism, int mathType) {
        @Override public String toString() {
            return "algo " + algorithm + " (status " + status + ", " + memory + " B workspace, "
                    + (determinism == CUDNN_DETERMINISTIC ? "deterministic" : "non-deterministic") + ", math " + mathType
                    + ", " + milliseconds + " ms)";
        }
    }

    /** Reserved for everything else on the GPU while measuring. */
    private static final long SEARCH_MARGIN = 256L << 20;

    private ConvAlgorithms() {}

    static Choice forward(CudaBackend b, ConvDescriptors d, ConvGeometry g, Op op, List<TensorSpec> specs) {
        return b.algorithmCache().computeIfAbsent(g.key("fwd"), key -> {
            cudnnContext h = b.cudnn();
            int[] max = new int[1];
            Check.cudnn(cudnnGetConvolutionForwardAlgorithmMaxCount(h, max), "cudnnGetConvolutionForwardAlgorithmMaxCount", op, specs);
            try (Buffers t = new Buffers(b, Math.max(g.stagedBytes(), g.srcBytes()), g.weightBytes(), g.dstBytes(), op, specs);
                 cudnnConvolutionFwdAlgoPerf_t perf = new cudnnConvolutionFwdAlgoPerf_t(max[0])) {
                int[] returned = new int[1];
                Check.cudnn(cudnnFindConvolutionForwardAlgorithmEx(h, d.x(), t.src, d.w(), t.weights, d.conv(), d.y(), t.dst,
                        max[0], returned, perf, t.workspace, t.workspaceBytes), "cudnnFindConvolutionForwardAlgorithmEx", op, specs);
                List<Candidate> all = new ArrayList<>();
                for (int i = 0; i < returned[0]; i++) {
                    cudnnConvolutionFwdAlgoPerf_t p = perf.getPointer(i);
                    all.add(new Candidate(p.algo(), p.status(), p.time(), p.memory(), p.determinism(), p.mathType()));
                }
                return choose(b, all, "forward", op, specs);
            }
        });
    }

    static Choice backwardData(CudaBackend b, ConvDescriptors d, ConvGeometry g, Op op, List<TensorSpec> specs) {
        return b.algorithmCache().computeIfAbsent(g.key("bwd_data"), key -> {
            cudnnContext h = b.cudnn();
            int[] max = new int[1];
            Check.cudnn(cudnnGetConvolutionBackwardDataAlgorithmMaxCount(h, max), "cudnnGetConvolutionBackwardDataAlgorithmMaxCount", op, specs);
            try (Buffers t = new Buffers(b, Math.max(g.stagedBytes(), g.srcBytes()), g.weightBytes(), g.dstBytes(), op, specs);
                 cudnnConvolutionBwdDataAlgoPerf_t perf = new cudnnConvolutionBwdDataAlgoPerf_t(max[0])) {
                int[] returned = new int[1];
                Check.cudnn(cudnnFindConvolutionBackwardDataAlgorithmEx(h, d.w(), t.weights, d.y(), t.dst, d.conv(), d.x(), t.src,
                        max[0], returned, perf, t.workspace, t.workspaceBytes), "cudnnFindConvolutionBackwardDataAlgorithmEx", op, specs);
                List<Candidate> all = new ArrayList<>();
                for (int i = 0; i < returned[0]; i++) {
                    cudnnConvolutionBwdDataAlgoPerf_t p = perf.getPointer(i);
                    all.add(new Candidate(p.algo(), p.status(), p.time(), p.memory(), p.determinism(), p.mathType()));
                }
                return choose(b, all, "backward-data", op, specs);
            }
        });
    }

    static Choice backwardFilter(CudaBackend b, ConvDescriptors d, ConvGeometry g, Op op, List<TensorSpec> specs) {
        return b.algorithmCache().computeIfAbsent(g.key("bwd_filter"), key -> {
            cudnnContext h = b.cudnn();
            int[] max = new int[1];
            Check.cudnn(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(h, max), "cudnnGetConvolutionBackwardFilterAlgorithmMaxCount", op, specs);
            try (Buffers t = new Buffers(b, Math.max(g.stagedBytes(), g.srcBytes()), g.weightBytes(), g.dstBytes(), op, specs);
                 cudnnConvolutionBwdFilterAlgoPerf_t perf = new cudnnConvolutionBwdFilterAlgoPerf_t(max[0])) {
                int[] returned = new int[1];
                Check.cudnn(cudnnFindConvolutionBackwardFilterAlgorithmEx(h, d.x(), t.src, d.y(), t.dst, d.conv(), d.w(), t.weights,
                        max[0], returned, perf, t.workspace, t.workspaceBytes), "cudnnFindConvolutionBackwardFilterAlgorithmEx", op, specs);
                List<Candidate> all = new ArrayList<>();
                for (int i = 0; i < returned[0]; i++) {
                    cudnnConvolutionBwdFilterAlgoPerf_t p = perf.getPointer(i);
                    all.add(new Candidate(p.algo(), p.status(), p.time(), p.memory(), p.determinism(), p.mathType()));
                }
                return choose(b, all, "backward-filter", op, specs);
            }
        });
    }

    /** The fastest admissible candidate (cuDNN lists them fastest first), or an exception listing every candidate. */
    private static Choice choose(CudaBackend b, List<Candidate> all, String direction, Op op, List<TensorSpec> specs) {
        boolean deterministic = b.options().deterministic();
        long limit = b.options().scratchLimitBytes();
        for (Candidate c : all) {
            if (c.status() != 0 || c.memory() > limit) continue;
            if (c.mathType() == CUDNN_TENSOR_OP_MATH || c.mathType() == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION) continue;
            if (deterministic && c.determinism() != CUDNN_DETERMINISTIC) continue;
            return new Choice(c.algorithm(), c.memory(), c.milliseconds());
        }
        throw new BackendException(Check.ENGINE, op, specs, 0, "no cuDNN " + direction + " convolution algorithm fits: "
                + "need status success, workspace <= " + limit + " bytes (BackendOptions.scratchLimitBytes), FP32 math"
                + (deterministic ? ", deterministic" : "") + "; measured: " + all);
    }

    /** Temporary device buffers for one measurement, zero-filled, and the largest workspace allowed and available. */
    private static final class Buffers implements AutoCloseable {
        private final List<CudaArena> arenas = new ArrayList<>();
        final DevicePointer src, weights, dst, workspace;
        final long workspaceBytes;

        Buffers(CudaBackend b, long srcBytes, long weightBytes, long dstBytes, Op op, List<TensorSpec> specs) {
            try {
                src = allocate(b, srcBytes, op, specs);
                weights = allocate(b, weightBytes, op, specs);
                dst = allocate(b, dstBytes, op, specs);
                long free;
                try (SizeTPointer f = new SizeTPointer(1); SizeTPointer t = new SizeTPointer(1)) {
                    Check.runtime(cudaMemGetInfo(f, t), "cudaMemGetInfo", op, specs);
                    free = f.get();
                }
                workspaceBytes = Math.max(0, Math.min(b.options().scratchLimitBytes(), free - SEARCH_MARGIN));
                CudaArena ws = workspaceBytes > 0 ? b.temporary(workspaceBytes) : null;
                if (ws != null) arenas.add(ws);
                workspace = new DevicePointer(ws == null ? 0 : ws.address(0));
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        private DevicePointer allocate(CudaBackend b, long bytes, Op op, List<TensorSpec> specs) {
            CudaArena a = b.temporary(bytes);
            arenas.add(a);
            Check.runtime(cudaMemsetAsync(new DevicePointer(a.address(0)), 0, bytes, b.stream()), "cudaMemsetAsync", op, specs);
            return new DevicePointer(a.address(0));
        }

        @Override public void close() {
            for (CudaArena a : arenas) a.close();
            arenas.clear();
        }
    }
}
