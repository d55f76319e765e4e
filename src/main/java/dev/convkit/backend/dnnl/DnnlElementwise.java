package dev.convkit.backend.dnnl;

import static dev.convkit.backend.dnnl.DnnlKernelBuilder.arg;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MULTIPLE_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;
import static org.bytedeco.dnnl.global.dnnl.dnnl_binary_mul;
import static org.bytedeco.dnnl.global.dnnl.dnnl_binary_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_forward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_linear;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_sum_primitive_desc_create;

import dev.convkit.backend.dnnl.DnnlKernelBuilder.Arg;
import dev.convkit.ops.Add;
import dev.convkit.ops.Mul;
import dev.convkit.ops.Scale;
import java.util.Arrays;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.PointerPointer;

/** Element-wise arithmetic: n-ary Add on oneDNN sum, Mul on binary mul, Scale on eltwise linear (alpha·x + 0). */
final class DnnlElementwise {
    private DnnlElementwise() {}

    /** dst = Σ src_i, all of one shape. */
    static void add(DnnlKernelBuilder b, Add op) {
        int n = op.arity();
        dnnl_memory_desc[] srcs = new dnnl_memory_desc[n];
        for (int i = 0; i < n; i++) srcs[i] = b.inputDesc(i);
        float[] scales = new float[n];
        Arrays.fill(scales, 1f);
        dnnl_primitive_desc pd;
        try (PointerPointer<dnnl_primitive_desc> out = new PointerPointer<>(1);
             PointerPointer<dnnl_memory_desc> descs = new PointerPointer<>(srcs)) {
            b.check(dnnl_sum_primitive_desc_create(out, b.backend().engine(), b.outputDesc(0), n, scales, descs, b.attr()),
                    "dnnl_sum_primitive_desc_create");
            pd = b.adoptPd(out.get(0));
        }
        Arg[] args = new Arg[n + 1];
        for (int i = 0; i < n; i++) args[i] = arg(DNNL_ARG_MULTIPLE_SRC + i, b.src(i, srcs[i]));
        args[n] = arg(DNNL_ARG_DST, b.dst(0));
        b.exec("sum", pd, args);
    }

    /** dst = src0 · src1 element-wise. */
    static void mul(DnnlKernelBuilder b, Mul op) {
        dnnl_primitive_desc pd = b.newPd();
        dnnl_memory_desc a = b.inputDesc(0), c = b.inputDesc(1), y = b.outputDesc(0);
        b.check(dnnl_binary_primitive_desc_create(pd, b.backend().engine(), dnnl_binary_mul, a, c, y, b.attr()),
                "dnnl_binary_primitive_desc_create");
        b.exec("binary mul", pd, arg(DNNL_ARG_SRC_0, b.src(0, a)), arg(DNNL_ARG_SRC_1, b.src(1, c)),
                arg(DNNL_ARG_DST, b.dst(0, y)));
    }

    /** dst = alpha · src. */
    static void scale(DnnlKernelBuilder b, Scale op) {
        dnnl_primitive_desc pd = b.newPd();
        dnnl_memory_desc x = b.inputDesc(0), y = b.outputDesc(0);
        b.check(dnnl_eltwise_forward_primitive_desc_create(pd, b.backend().engine(), dnnl_forward_inference,
                dnnl_eltwise_linear, x, y, op.alpha(), 0f, b.attr()), "dnnl_eltwise_forward_primitive_desc_create");
        b.exec("eltwise linear", pd, arg(DNNL_ARG_SRC, b.src(0, x)), arg(DNNL_ARG_DST, b.dst(0, y)));
    }
}
