package dev.convkit.backend.dnnl;

import dev.convkit.tensor.DType;
import dev.convkit.tensor.TensorSpec;

/**
 * The engine layout of a cpu engine instance per element type: what {@link dev.convkit.tensor.Layout#ENGINE} means
 * for a 4-D f32 tensor and for a 4-D bf16 tensor. Each is probed separately ({@link DnnlBlockedFormat#probe}) because
 * oneDNN's fastest convolution differs by type: on an AMX machine f32 runs AVX-512 kernels on nChw16c and bf16 runs
 * AMX brgemm kernels on nhwc. A null format keeps tensors of that type canonical.
 *
 * @param f32  format of f32 activations, or null
 * @param bf16 format of bf16 activations, or null (also on CPUs without native bf16, where bf16 programs are refused)
 */
record DnnlActivationFormats(DnnlBlockedFormat f32, DnnlBlockedFormat bf16) {
    static final DnnlActivationFormats CANONICAL = new DnnlActivationFormats(null, null);

    /** The format of {@code t}'s activations, or null: canonical (always for f16, which this engine does not hold). */
    DnnlBlockedFormat of(DType t) {
        return switch (t) {
            case F32 -> f32;
            case BF16 -> bf16;
            case F16 -> null;
        };
    }

    /** The format of {@code spec}'s element type, or null. */
    DnnlBlockedFormat of(TensorSpec spec) { return of(spec.dtype()); }

    @Override public String toString() {
        if (f32 == null && bf16 == null) return "canonical layouts";
        return "activations " + (f32 == null ? "canonical" : f32.toString()) + (bf16 == null ? "" : ", bf16 " + bf16);
    }
}
