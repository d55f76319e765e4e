package dev.convkit.backend.dnnl;

import static dev.convkit.backend.dnnl.DnnlKernelBuilder.arg;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MULTIPLE_SRC;
import static org.bytedeco.dnnl.global.dnnl.dnnl_concat_primitive_desc_create;

import dev.convkit.backend.dnnl.DnnlKernelBuilder.Arg;
import dev.convkit.backend.dnnl.DnnlKernelBuilder.Mem;
import dev.convkit.ops.Concat;
import dev.convkit.ops.SplitOp;
import dev.convkit.tensor.TensorSpec;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Channel concatenation (axis 1) in the kernel's working layout, and its inverse Split.
 *
 * <p>Canonical tensors, and blocked ones whose channel offsets all fall on block boundaries, use oneDNN's concat
 * and one reorder per part from a channel window (a submemory descriptor). Blocked tensors with offsets inside a
 * block (DenseNet's growth of 12 channels with blocks of 8 or 16) are another matter: oneDNN cannot describe such
 * windows, and its concat then falls back to a reference implementation (measured ~3x slower than a copy on the
 * DenseNet-BC-100 shapes). Those go through {@link DnnlChannelCopy}: strided copies lane by lane, followed by
 * clearing the padded channels of each blocked output, which later kernels rely on being zero.
 */
final class DnnlConcat {
    private DnnlConcat() {}

    /** [N, Ci, ...] x n → [N, ΣCi, ...]. */
    static void concat(DnnlKernelBuilder b, Concat op) {
        int n = op.arity();
        if (b.blockedWork() && !blockAligned(b)) {
            concatShifted(b, n);
            return;
        }
        dnnl_memory_desc[] srcs = new dnnl_memory_desc[n];
        for (int i = 0; i < n; i++) srcs[i] = b.workDesc(i);
        dnnl_primitive_desc pd;
        try (PointerPointer<dnnl_primitive_desc> out = new PointerPointer<>(1);
             PointerPointer<dnnl_memory_desc> descs = new PointerPointer<>(srcs)) {
            b.check(dnnl_concat_primitive_desc_create(out, b.backend().engine(), b.outputDesc(0), n, 1, descs, b.attr()),
                    "dnnl_concat_primitive_desc_create");
            pd = b.adoptPd(out.get(0));
        }
        Arg[] args = new Arg[n + 1];
        for (int i = 0; i < n; i++) args[i] = arg(DNNL_ARG_MULTIPLE_SRC + i, b.srcWork(i));
        args[n] = arg(DNNL_ARG_DST, b.dst(0));
        b.exec("concat", pd, args);
    }

    /**
     * Whether every input but the last has a whole number of channel blocks (so every offset is block-aligned);
     * always so in channels last, where a window of channels is a plain strided view.
     */
    private static boolean blockAligned(DnnlKernelBuilder b) {
        DnnlBlockedFormat format = format(b);
        if (format.channelsLast()) return true;
        int block = format.block();
        for (int i = 0; i < b.inputs.size() - 1; i++) if (b.inputs.get(i).dim(1) % block != 0) return false;
        return true;
    }

    /** Blocked concat at unaligned channel offsets: each input's channels copied into place, then the padding cleared. */
    private static void concatShifted(DnnlKernelBuilder b, int n) {
        int block = format(b).block();
        DnnlChannelCopy.Blocked dst = blocked(b, b.dst(0), b.outputs.get(0));
        long at = 0;
        for (int i = 0; i < n; i++) {
            TensorSpec x = b.inputs.get(i);
            // later inputs and the final clearing of the padding overwrite whatever lands past this input's channels
            DnnlChannelCopy.copy(b, block, blocked(b, b.srcWork(i), x), 0, dst, at, x.dim(1), dst.padded());
            at += x.dim(1);
        }
        DnnlChannelCopy.zeroPadding(b, block, dst);
    }

    /** [N, C, ...] → parts [N, sizes[j], ...] of consecutive channels. */
    static void split(DnnlKernelBuilder b, SplitOp op) {
        int rank = b.inputs.get(0).rank();
        dnnl_memory_desc whole = b.inputDesc(0);
        long channel = 0;
        for (int j = 0; j < b.outputs.size(); j++) {
            long[] dims = DnnlDescs.dims(b.outputs.get(j));
            long[] offsets = new long[rank];
            offsets[1] = channel;
            // A window of a blocked tensor exists only where oneDNN can describe it (whole blocks); other parts
            // are copied lane by lane and get their padding cleared.
            dnnl_memory_desc window = b.trySubmemory(whole, dims, offsets);
            if (window != null) {
                b.reorder(b.src(0, window), b.dst(j));
            } else {
                int block = format(b).block();
                DnnlChannelCopy.Blocked part = blocked(b, b.dst(j), b.outputs.get(j));
                DnnlChannelCopy.copy(b, block, blocked(b, b.src(0), b.inputs.get(0)), channel, part, 0, dims[1],
                        part.padded());
                DnnlChannelCopy.zeroPadding(b, block, part);
            }
            channel += dims[1];
        }
    }

    /** The engine format of the activations' type (input 0's; every part of a concat or split has that type). */
    private static DnnlBlockedFormat format(DnnlKernelBuilder b) { return b.backend().blocked(b.type(0)); }

    /** A blocked 4-D tensor of {@code spec}'s shape held by {@code mem}. */
    private static DnnlChannelCopy.Blocked blocked(DnnlKernelBuilder b, Mem mem, TensorSpec spec) {
        long c = spec.dim(1);
        return new DnnlChannelCopy.Blocked(mem, spec.dtype(), spec.dim(0), c, b.backend().blocked(spec.dtype()).paddedChannels(c),
                (long) spec.dim(2) * spec.dim(3));
    }
}
