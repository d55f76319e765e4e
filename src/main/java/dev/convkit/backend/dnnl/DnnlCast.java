package dev.convkit.backend.dnnl;

import dev.convkit.ops.Cast;

/**
 * Element-type conversion (f32 ↔ bf16) as one oneDNN reorder between two descriptors of the same layout that differ
 * in data type: f32 → bf16 rounds to nearest even, bf16 → f32 is exact. The output keeps the input's layout
 * ({@link DnnlLayoutPolicy}), blocked padding included, so a cast never changes the layout of an activation.
 */
final class DnnlCast {
    private DnnlCast() {}

    /** src (any type, any layout) → dst of the same shape and layout in {@code op.to()}. */
    static void cast(DnnlKernelBuilder b, Cast op) { b.reorder(b.src(0), b.dst(0)); }
}
