package dev.convkit.backend.dnnl;

import static dev.convkit.backend.dnnl.DnnlKernelBuilder.arg;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_avg_exclude_padding;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_backward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_forward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_max;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_workspace_md;

import dev.convkit.backend.Kernel;
import dev.convkit.backend.dnnl.DnnlKernelBuilder.Mem;
import dev.convkit.ops.Pool2d;
import dev.convkit.ops.Pool2dBwd;
import dev.convkit.ops.Window2d;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * Max and average pooling on oneDNN's pooling primitive. Max pooling (padding never wins) keeps oneDNN's workspace
 * (the position of each maximum) as the forward kernel's saved memory; its backward kernel, compiled with that
 * forward kernel as hint, routes gradients through it. Without such a hint the backward kernel recomputes the
 * forward pass into its scratch. Average pooling excludes padding from the divisor.
 */
final class DnnlPool2d {
    private DnnlPool2d() {}

    /** src [N, C, H, W] → dst [N, C, OH, OW]; max pooling also writes the workspace to saved memory. */
    static void forward(DnnlKernelBuilder b, Pool2d op) {
        dnnl_primitive_desc pd = forwardPd(b, op.kind(), op.window(), b.workDesc(0), b.outputDesc(0));
        Mem src = b.srcWork(0);
        if (op.kind() == Pool2d.Kind.MAX) {
            Mem workspace = b.savedWritten(b.query(pd, dnnl_query_workspace_md, 0));
            b.exec(op.name(), pd, arg(DNNL_ARG_SRC, src), arg(DNNL_ARG_DST, b.dst(0)), arg(DNNL_ARG_WORKSPACE, workspace));
        } else {
            b.exec(op.name(), pd, arg(DNNL_ARG_SRC, src), arg(DNNL_ARG_DST, b.dst(0)));
        }
    }

    /** (src, dst, diffDst) → diffSrc. */
    static void backward(DnnlKernelBuilder b, Pool2dBwd op, Kernel forward) {
        dnnl_memory_desc x = b.workDesc(0), y = b.workDesc(1);
        dnnl_primitive_desc hint = forwardPd(b, op.kind(), op.window(), x, y);
        WindowDims g = WindowDims.of(op.window());
        dnnl_primitive_desc pd = b.newPd();
        b.check(dnnl_pooling_backward_primitive_desc_create(pd, b.backend().engine(), algorithm(op.kind()),
                b.outputDesc(0), b.workDesc(2), g.strides(), g.kernel(), new long[2], g.padL(), g.padR(), hint, b.attr()),
                "dnnl_pooling_backward_primitive_desc_create");
        if (op.kind() == Pool2d.Kind.MAX) {
            dnnl_memory_desc wsDesc = b.query(hint, dnnl_query_workspace_md, 0);
            Mem workspace;
            if (isMatchingForward(forward, op, b, DnnlKernelBuilder.size(wsDesc))) {
                workspace = b.savedRead(wsDesc);
            } else {
                workspace = b.temp(wsDesc);
                b.exec(op.name() + " forward recompute", hint, arg(DNNL_ARG_SRC, b.srcWork(0)),
                        arg(DNNL_ARG_DST, b.temp(y)), arg(DNNL_ARG_WORKSPACE, workspace));
            }
            b.exec(op.name(), pd, arg(DNNL_ARG_DIFF_DST, b.srcWork(2)), arg(DNNL_ARG_DIFF_SRC, b.dst(0)),
                    arg(DNNL_ARG_WORKSPACE, workspace));
        } else {
            b.exec(op.name(), pd, arg(DNNL_ARG_DIFF_DST, b.srcWork(2)), arg(DNNL_ARG_DIFF_SRC, b.dst(0)));
        }
    }

    /** Whether {@code forward} is this engine's max-pool kernel of the same geometry over the same src. */
    private static boolean isMatchingForward(Kernel forward, Pool2dBwd op, DnnlKernelBuilder b, long workspaceBytes) {
        return forward instanceof DnnlKernel k && k.op().equals(new Pool2d(op.kind(), op.window()))
                && k.inputs().get(0).equals(b.inputs.get(0)) && k.savedBytes() == workspaceBytes;
    }

    static dnnl_primitive_desc forwardPd(DnnlKernelBuilder b, Pool2d.Kind kind, Window2d window, dnnl_memory_desc x,
                                         dnnl_memory_desc y) {
        WindowDims g = WindowDims.of(window);
        dnnl_primitive_desc pd = b.newPd();
        b.check(dnnl_pooling_forward_primitive_desc_create(pd, b.backend().engine(), dnnl_forward_training,
                algorithm(kind), x, y, g.strides(), g.kernel(), new long[2], g.padL(), g.padR(), b.attr()),
                "dnnl_pooling_forward_primitive_desc_create");
        return pd;
    }

    private static int algorithm(Pool2d.Kind kind) {
        return kind == Pool2d.Kind.MAX ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding;
    }
}
