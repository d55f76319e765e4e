package dev.convkit.backend.dnnl;

import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_create_with_strides;

import dev.convkit.backend.BackendException;
import dev.convkit.ops.Op;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.TensorSpec;
import java.util.List;
import org.bytedeco.dnnl.dnnl_memory_desc;

/**
 * The one mapping from {@link TensorSpec} to oneDNN memory descriptors. Canonical layout is row-major over the
 * logical shape (nchw, oihw, nc, x, ...). {@link Layout#ENGINE} is where blocked formats (nChw16c, ...) will be
 * chosen; until kernels produce them the cpu engine rejects it here, in one place.
 */
final class DnnlDescs {
    private DnnlDescs() {}

    /** The logical dimensions as oneDNN's int64 dims. */
    static long[] dims(TensorSpec spec) {
        int[] d = spec.shape().dims();
        long[] out = new long[d.length];
        for (int i = 0; i < d.length; i++) out[i] = d[i];
        return out;
    }

    /** Dense row-major strides (in elements) of {@code dims}. */
    static long[] rowMajorStrides(long[] dims) {
        long[] strides = new long[dims.length];
        long s = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= dims[i];
        }
        return strides;
    }

    /**
     * Throws a BackendException naming the op, its specs and the offending input unless every spec is f32 in a
     * layout this engine reads.
     */
    static void requireSupported(Op op, List<TensorSpec> specs) {
        for (int i = 0; i < specs.size(); i++) {
            TensorSpec s = specs.get(i);
            if (s.dtype() != DType.F32) {
                throw new BackendException(DnnlStatus.ENGINE, op, specs, 0, "input " + i + " is " + s.dtype().lower()
                        + "; the cpu engine runs f32 only");
            }
            if (s.layout() != Layout.CANONICAL) {
                throw new BackendException(DnnlStatus.ENGINE, op, specs, 0, "input " + i + " has layout "
                        + s.layout() + "; the cpu engine reads canonical layouts only");
            }
        }
    }

    /** Bytes a tensor of this spec occupies in the cpu engine; rejects specs it cannot hold. */
    static long bytes(TensorSpec spec) {
        requireSupported(spec);
        return spec.bytes();
    }

    /** A new descriptor (caller destroys it) of {@code spec} in its layout. */
    static dnnl_memory_desc create(TensorSpec spec, Op op, List<TensorSpec> specs) {
        requireSupported(spec);
        long[] dims = dims(spec);
        return strided(dims, rowMajorStrides(dims), op, specs);
    }

    /** A new f32 descriptor (caller destroys it) with explicit strides in elements. */
    static dnnl_memory_desc strided(long[] dims, long[] strides, Op op, List<TensorSpec> specs) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        DnnlStatus.check(dnnl_memory_desc_create_with_strides(md, dims.length, dims, dnnl_f32, strides),
                "dnnl_memory_desc_create_with_strides", op, specs);
        return md;
    }

    private static void requireSupported(TensorSpec spec) {
        if (spec.dtype() != DType.F32) {
            throw new BackendException(DnnlStatus.ENGINE, "tensor " + spec + " is " + spec.dtype().lower()
                    + "; the cpu engine holds f32 only");
        }
        if (spec.layout() != Layout.CANONICAL) {
            throw new BackendException(DnnlStatus.ENGINE, "tensor " + spec + " has layout " + spec.layout()
                    + "; the cpu engine has no engine-specific layouts yet");
        }
    }
}
