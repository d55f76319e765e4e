package dev.convkit.backend.dnnl;

import static dev.convkit.backend.dnnl.DnnlKernelBuilder.arg;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MULTIPLE_SRC;
import static org.bytedeco.dnnl.global.dnnl.dnnl_concat_primitive_desc_create;

import dev.convkit.backend.dnnl.DnnlKernelBuilder.Arg;
import dev.convkit.ops.Concat;
import dev.convkit.ops.Split;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Channel concatenation on oneDNN concat (axis 1), and its inverse Split as one reorder per part from a channel
 * window (a submemory descriptor) of the source into each output.
 */
final class DnnlConcat {
    private DnnlConcat() {}

    /** [N, Ci, ...] x n → [N, ΣCi, ...]. */
    static void concat(DnnlKernelBuilder b, Concat op) {
        int n = op.arity();
        dnnl_memory_desc[] srcs = new dnnl_memory_desc[n];
        for (int i = 0; i < n; i++) srcs[i] = b.inputDesc(i);
        dnnl_primitive_desc pd;
        try (PointerPointer<dnnl_primitive_desc> out = new PointerPointer<>(1);
             PointerPointer<dnnl_memory_desc> descs = new PointerPointer<>(srcs)) {
            b.check(dnnl_concat_primitive_desc_create(out, b.backend().engine(), b.outputDesc(0), n, 1, descs, b.attr()),
                    "dnnl_concat_primitive_desc_create");
            pd = b.adoptPd(out.get(0));
        }
        Arg[] args = new Arg[n + 1];
        for (int i = 0; i < n; i++) args[i] = arg(DNNL_ARG_MULTIPLE_SRC + i, b.src(i, srcs[i]));
        args[n] = arg(DNNL_ARG_DST, b.dst(0));
        b.exec("concat", pd, args);
    }

    /** [N, C, ...] → parts [N, sizes[j], ...] of consecutive channels. */
    static void split(DnnlKernelBuilder b, Split op) {
        dnnl_memory_desc whole = b.inputDesc(0);
        int rank = b.inputs.get(0).rank();
        long channel = 0;
        for (int j = 0; j < b.outputs.size(); j++) {
            long[] dims = DnnlDescs.dims(b.outputs.get(j));
            long[] offsets = new long[rank];
            offsets[1] = channel;
            b.reorder(b.src(0, b.submemory(whole, dims, offsets)), b.dst(j));
            channel += dims[1];
        }
    }
}
