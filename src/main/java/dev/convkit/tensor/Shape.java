package dev.convkit.tensor;

import java.util.Arrays;

/**
 * An immutable list of positive dimensions. By convention 4-D shapes are logical NCHW and 2-D shapes are NC,
 * whatever physical layout an engine stores them in.
 */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) { this.dims = dims; }

    /** Every dimension must be positive; the message names the offending position. */
    public static Shape of(int... dims) {
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] <= 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has non-positive dimension "
                        + dims[i] + " at axis " + i + "; every dimension must be >= 1");
            }
        }
        return new Shape(dims.clone());
    }

    public int rank() { return dims.length; }

    public int dim(int axis) { return dims[axis < 0 ? dims.length + axis : axis]; }

    public int[] dims() { return dims.clone(); }

    /** Number of elements (product of the dimensions). */
    public long size() {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    /** A copy with {@code axis} replaced by {@code value}. */
    public Shape with(int axis, int value) {
        int[] d = dims.clone();
        d[axis < 0 ? d.length + axis : axis] = value;
        return of(d);
    }

    /** This shape with a leading batch dimension. */
    public Shape withBatch(int n) {
        int[] d = new int[dims.length + 1];
        d[0] = n;
        System.arraycopy(dims, 0, d, 1, dims.length);
        return of(d);
    }

    /** This shape without its leading (batch) dimension. */
    public Shape dropBatch() { return of(Arrays.copyOfRange(dims, 1, dims.length)); }

    @Override public boolean equals(Object o) { return o instanceof Shape s && Arrays.equals(dims, s.dims); }

    @Override public int hashCode() { return Arrays.hashCode(dims); }

    /** Keras-like: {@code (32, 16, 16)}. */
    @Override public String toString() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(dims[i]);
        }
        if (dims.length == 1) sb.append(',');
        return sb.append(')').toString();
    }
}
