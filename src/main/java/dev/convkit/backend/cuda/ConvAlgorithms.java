package dev.convkit.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaMemGetInfo;
import static org.bytedeco.cuda.global.cudart.cudaMemsetAsync;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DETERMINISTIC;
import static org.bytedeco.cuda.global.cudnn.CUDNN_FMA_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cudnn.cudnnFindConvolutionBackwardDataAlgorithmEx;
import static org.bytedeco.cuda.global.cudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx;
import static org.bytedeco.cuda.global.cudnn.cudnnFindConvolutionForwardAlgorithmEx;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionBackwardDataAlgorithmMaxCount;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionBackwardFilterAlgorithmMaxCount;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionForwardAlgorithmMaxCount;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionForwardWorkspaceSize;

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
 * temporary device buffers, and caches the choice per engine. Candidates must succeed, be measured with
 * {@code CUDNN_FMA_MATH} (the descriptor's math type: cuDNN also lists DEFAULT_MATH variants, which on Ampere and
 * Hopper run FP32 as TF32 and whose time and workspace belong to that variant, not to the FMA kernel we run), need at
 * most {@code BackendOptions.scratchLimitBytes} of workspace as cudnnGetConvolution*WorkspaceSize reports it for the
 * FMA descriptor, and, with {@code BackendOptions.deterministic}, be deterministic. The fastest such candidate wins.
 * The reported math type is never copied onto the descriptor: that would let TF32 in.
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
                return choose(b, all, "forward", (algo, size) ->
                        cudnnGetConvolutionForwardWorkspaceSize(h, d.x(), d.w(), d.conv(), d.y(), algo, size), op, specs);
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
                return choose(b, all, "backward-data", (algo, size) ->
                        cudnnGetConvolutionBackwardDataWorkspaceSize(h, d.w(), d.y(), d.conv(), d.x(), algo, size), op, specs);
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
                return choose(b, all, "backward-filter", (algo, size) ->
                        cudnnGetConvolutionBackwardFilterWorkspaceSize(h, d.x(), d.y(), d.conv(), d.w(), algo, size), op, specs);
            }
        });
    }

    /** cudnnGetConvolution{Forward,BackwardData,BackwardFilter}WorkspaceSize of one direction on this kernel's descriptors. */
    @FunctionalInterface
    private interface WorkspaceQuery {
        int bytes(int algorithm, SizeTPointer size);
    }

    /**
     * The fastest admissible candidate (cuDNN lists them fastest first) with the workspace the FMA descriptor needs
     * for it, or an exception listing every candidate and why each was refused.
     */
    private static Choice choose(CudaBackend b, List<Candidate> all, String direction, WorkspaceQuery workspace, Op op,
                                 List<TensorSpec> specs) {
        boolean deterministic = b.options().deterministic();
        long limit = b.options().scratchLimitBytes();
        List<String> refused = new ArrayList<>();
        try (SizeTPointer size = new SizeTPointer(1)) {
            for (Candidate c : all) {
                if (c.status() != CUDNN_STATUS_SUCCESS || c.mathType() != CUDNN_FMA_MATH) continue;
                if (deterministic && c.determinism() != CUDNN_DETERMINISTIC) continue;
                int status = workspace.bytes(c.algorithm(), size);
                if (status != CUDNN_STATUS_SUCCESS) {
                    refused.add("algo " + c.algorithm() + ": workspace query failed with "
                            + Check.describe(Check.Library.CUDNN, status));
                    continue;
                }
                long bytes = size.get();
                if (bytes > limit) {
                    refused.add("algo " + c.algorithm() + ": needs " + bytes + " B of workspace");
                    continue;
                }
                return new Choice(c.algorithm(), bytes, c.milliseconds());
            }
        }
        throw new BackendException(Check.ENGINE, op, specs, 0, "no cuDNN " + direction + " convolution algorithm fits: "
                + "need status success, CUDNN_FMA_MATH (" + CUDNN_FMA_MATH + "; no TF32), workspace <= " + limit
                + " bytes (BackendOptions.scratchLimitBytes) for the FMA descriptor"
                + (deterministic ? ", deterministic" : "") + "; measured: " + all + (refused.isEmpty() ? "" : "; refused: " + refused));
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
