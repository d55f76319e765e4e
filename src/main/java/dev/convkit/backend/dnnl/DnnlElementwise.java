package dev.convkit.backend.dnnl;

import static dev.convkit.backend.dnnl.DnnlKernelBuilder.arg;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MULTIPLE_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;
import static org.bytedeco.dnnl.global.dnnl.dnnl_binary_add;
import static org.bytedeco.dnnl.global.dnnl.dnnl_binary_mul;
import static org.bytedeco.dnnl.global.dnnl.dnnl_binary_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_forward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_linear;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_sum_primitive_desc_create;

import dev.convkit.backend.dnnl.DnnlKernelBuilder.Arg;
import dev.convkit.ops.AddOp;
import dev.convkit.ops.Mul;
import dev.convkit.ops.Scale;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.Layout;
import java.util.Arrays;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Element-wise arithmetic: Add on oneDNN binary add (two inputs) or sum (more), Mul on binary mul, Scale on eltwise
 * linear (alpha·x + 0), all in the kernel's working layout (4-D inputs blocked when any input is blocked).
 */
final class DnnlElementwise {
    private DnnlElementwise() {}

    /**
     * dst = Σ src_i, all of one shape: oneDNN binary add for two inputs (up to 3x faster than its sum primitive on
     * this engine's tensor sizes), sum for more. When every tensor is blocked, all are seen as one flat vector of
     * their physical floats: zero padding adds up to zero, and the fast implementations take no padded layouts.
     */
    static void add(DnnlKernelBuilder b, AddOp op) {
        int n = op.arity();
        dnnl_memory_desc flat = flatView(b);
        if (n == 2) {
            binary(b, dnnl_binary_add, "binary add", flat);
            return;
        }
        dnnl_memory_desc[] srcs = new dnnl_memory_desc[n];
        for (int i = 0; i < n; i++) srcs[i] = flat != null ? flat : b.workDesc(i);
        float[] scales = new float[n];
        Arrays.fill(scales, 1f);
        dnnl_primitive_desc pd;
        try (PointerPointer<dnnl_primitive_desc> out = new PointerPointer<>(1);
             PointerPointer<dnnl_memory_desc> descs = new PointerPointer<>(srcs)) {
            b.check(dnnl_sum_primitive_desc_create(out, b.backend().engine(), flat != null ? flat : b.outputDesc(0), n,
                    scales, descs, b.attr()), "dnnl_sum_primitive_desc_create");
            pd = b.adoptPd(out.get(0));
        }
        Arg[] args = new Arg[n + 1];
        for (int i = 0; i < n; i++) args[i] = arg(DNNL_ARG_MULTIPLE_SRC + i, flat != null ? b.src(i, flat) : b.srcWork(i));
        args[n] = arg(DNNL_ARG_DST, flat != null ? b.dst(0, flat) : b.dst(0));
        b.exec("sum", pd, args);
    }

    /** dst = src0 · src1 element-wise (blocked padding: 0 · 0 = 0, so a flat view serves as for add). */
    static void mul(DnnlKernelBuilder b, Mul op) { binary(b, dnnl_binary_mul, "binary mul", flatView(b)); }

    /** A binary primitive over inputs 0 and 1: on the flat view when given, else in the working layout. */
    private static void binary(DnnlKernelBuilder b, int algorithm, String what, dnnl_memory_desc flat) {
        dnnl_primitive_desc pd = b.newPd();
        dnnl_memory_desc a = flat != null ? flat : b.workDesc(0), c = flat != null ? flat : b.workDesc(1);
        dnnl_memory_desc y = flat != null ? flat : b.outputDesc(0);
        b.check(dnnl_binary_primitive_desc_create(pd, b.backend().engine(), algorithm, a, c, y, b.attr()),
                "dnnl_binary_primitive_desc_create");
        b.exec(what, pd, arg(DNNL_ARG_SRC_0, flat != null ? b.src(0, flat) : b.srcWork(0)),
                arg(DNNL_ARG_SRC_1, flat != null ? b.src(1, flat) : b.srcWork(1)), arg(DNNL_ARG_DST, b.dst(0, y)));
    }

    /**
     * One flat vector (of the output's element type) of the physical size when every input and output is in the
     * engine layout of the output's type (then all have one physical arrangement and size, and element-wise work may
     * run over padding too), else null.
     */
    private static dnnl_memory_desc flatView(DnnlKernelBuilder b) {
        DType t = b.outType(0);
        boolean allBlocked = b.inputs.stream().allMatch(s -> s.layout() == Layout.ENGINE && s.dtype() == t)
                && b.outputs.stream().allMatch(s -> s.layout() == Layout.ENGINE && s.dtype() == t);
        return allBlocked ? b.plain(b.outType(0), b.backend().sizeOf(b.outputs.get(0)) / b.outType(0).bytes()) : null;
    }

    /** dst = alpha · src. */
    static void scale(DnnlKernelBuilder b, Scale op) {
        dnnl_primitive_desc pd = b.newPd();
        dnnl_memory_desc x = b.workDesc(0), y = b.outputDesc(0);
        b.check(dnnl_eltwise_forward_primitive_desc_create(pd, b.backend().engine(), dnnl_forward_inference,
                dnnl_eltwise_linear, x, y, op.alpha(), 0f, b.attr()), "dnnl_eltwise_forward_primitive_desc_create");
        b.exec("eltwise linear", pd, arg(DNNL_ARG_SRC, b.srcWork(0)), arg(DNNL_ARG_DST, b.dst(0, y)));
    }

    /**
     * A temporary vector [n] of type {@code t} filled with ones (zeros copied in, then 0·x + 1), the right-hand side
     * of bias gradients written as products: Σ_p dy[p, o] = (dyᵀ · 1)[o], on matmul's fast path rather than the
     * reduction primitive's reference code.
     */
    static DnnlKernelBuilder.Mem ones(DnnlKernelBuilder b, DType t, long n) {
        dnnl_memory_desc md = b.plain(t, n);
        DnnlKernelBuilder.Mem ones = b.temp(md);
        b.reorder(b.zeros(b.strided(t, new long[] {n}, new long[] {0})), ones);
        dnnl_primitive_desc pd = b.newPd();
        b.check(dnnl_eltwise_forward_primitive_desc_create(pd, b.backend().engine(), dnnl_forward_inference,
                dnnl_eltwise_linear, md, md, 0f, 1f, b.attr()), "dnnl_eltwise_forward_primitive_desc_create");
        b.exec("eltwise ones", pd, arg(DNNL_ARG_SRC, ones), arg(DNNL_ARG_DST, ones));
        return ones;
    }
}
