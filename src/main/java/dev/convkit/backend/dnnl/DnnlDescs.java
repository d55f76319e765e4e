package dev.convkit.backend.dnnl;

import static org.bytedeco.dnnl.global.dnnl.dnnl_bf16;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_create_with_strides;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_create_with_tag;

import dev.convkit.backend.BackendException;
import dev.convkit.ops.Op;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.TensorSpec;
import java.util.List;
import org.bytedeco.dnnl.dnnl_memory_desc;

/**
 * The one mapping from {@link TensorSpec} to oneDNN memory descriptors. Canonical layout is row-major over the
 * logical shape (nchw, oihw, nc, x, ...). Element types are f32 and bf16 (bf16 only on CPUs that run it natively:
 * {@link DnnlBf16}). {@link Layout#ENGINE} exists for 4-D tensors only and means the
 * engine's {@link DnnlBlockedFormat} for the tensor's type (nChw16c, nChw8c or nhwc: {@link DnnlActivationFormats});
 * a type whose convolution prefers none of them has no engine layout and is rejected here, in one place.
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

    /** oneDNN's data type of {@code t}; f16 is rejected earlier by {@link #requireSupported}. */
    static int dataType(DType t) {
        return switch (t) {
            case F32 -> dnnl_f32;
            case BF16 -> dnnl_bf16;
            case F16 -> throw new BackendException(DnnlStatus.ENGINE, "the cpu engine has no f16 kernels");
        };
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
     * Throws a BackendException naming the op, its specs and the offending input unless every spec is f32 or bf16 in
     * a layout this engine reads ({@code format} null: canonical only).
     */
    static void requireSupported(Op op, List<TensorSpec> specs, DnnlActivationFormats format) {
        for (int i = 0; i < specs.size(); i++) {
            String problem = problem(specs.get(i), format);
            if (problem != null) throw new BackendException(DnnlStatus.ENGINE, op, specs, 0, "input " + i + " " + problem);
        }
    }

    /** Bytes a tensor of this spec occupies in the cpu engine (blocked padding included); rejects specs it cannot hold. */
    static long bytes(TensorSpec spec, DnnlActivationFormats format) {
        requireSupported(spec, format);
        return spec.layout() == Layout.ENGINE ? format.of(spec).bytes(spec) : spec.bytes();
    }

    /** A new descriptor (caller destroys it) of {@code spec} in its layout. */
    static dnnl_memory_desc create(TensorSpec spec, DnnlActivationFormats format, Op op, List<TensorSpec> specs) {
        requireSupported(spec, format);
        long[] dims = dims(spec);
        if (spec.layout() == Layout.ENGINE) {
            dnnl_memory_desc md = new dnnl_memory_desc();
            DnnlStatus.check(dnnl_memory_desc_create_with_tag(md, dims.length, dims, dataType(spec.dtype()), format.of(spec).tag()),
                    "dnnl_memory_desc_create_with_tag", op, specs);
            return md;
        }
        return strided(spec.dtype(), dims, rowMajorStrides(dims), op, specs);
    }

    /** A new descriptor (caller destroys it) of element type {@code t} with explicit strides in elements. */
    static dnnl_memory_desc strided(DType t, long[] dims, long[] strides, Op op, List<TensorSpec> specs) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        DnnlStatus.check(dnnl_memory_desc_create_with_strides(md, dims.length, dims, dataType(t), strides),
                "dnnl_memory_desc_create_with_strides", op, specs);
        return md;
    }

    private static void requireSupported(TensorSpec spec, DnnlActivationFormats format) {
        String problem = problem(spec, format);
        if (problem != null) throw new BackendException(DnnlStatus.ENGINE, "tensor " + spec + " " + problem);
    }

    /** Why the engine cannot hold {@code spec}, or null when it can. */
    private static String problem(TensorSpec spec, DnnlActivationFormats formats) {
        if (spec.dtype() == DType.F16) return "is f16; the cpu engine runs f32 and bf16 only";
        if (spec.layout() == Layout.ENGINE) {
            DnnlBlockedFormat format = formats.of(spec);
            if (format == null) return "has layout ENGINE; this cpu engine keeps " + spec.dtype().lower() + " tensors"
                    + " canonical (oneDNN's convolution prefers no blocked or channels-last format for them here)";
            if (spec.rank() != 4) return "has layout ENGINE at rank " + spec.rank() + "; the cpu engine's layout ("
                    + format + ") is for 4-D tensors only";
        }
        return null;
    }
}
