package dev.convkit.tensor;

/** What a tensor is, without its data: logical shape, element type and physical layout. */
public record TensorSpec(Shape shape, DType dtype, Layout layout) {

    public TensorSpec {
        if (shape == null || dtype == null || layout == null) throw new NullPointerException("TensorSpec fields must be non-null");
    }

    /** An f32 tensor in canonical layout, the common case. */
    public static TensorSpec f32(int... dims) { return new TensorSpec(Shape.of(dims), DType.F32, Layout.CANONICAL); }

    public static TensorSpec f32(Shape shape) { return new TensorSpec(shape, DType.F32, Layout.CANONICAL); }

    /** A tensor of {@code dtype} in canonical layout. */
    public static TensorSpec of(DType dtype, int... dims) { return new TensorSpec(Shape.of(dims), dtype, Layout.CANONICAL); }

    public static TensorSpec of(DType dtype, Shape shape) { return new TensorSpec(shape, dtype, Layout.CANONICAL); }

    public int rank() { return shape.rank(); }

    public int dim(int axis) { return shape.dim(axis); }

    public long size() { return shape.size(); }

    /** Bytes of the canonical layout (an engine layout may need more; the engine reports that). */
    public long bytes() { return shape.size() * dtype.bytes(); }

    public TensorSpec withShape(Shape s) { return new TensorSpec(s, dtype, layout); }

    public TensorSpec withDType(DType t) { return new TensorSpec(shape, t, layout); }

    @Override public String toString() {
        return dtype.lower() + shape + (layout == Layout.CANONICAL ? "" : "@" + layout.name().toLowerCase());
    }
}
