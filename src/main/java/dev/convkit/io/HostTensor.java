package dev.convkit.io;

import dev.convkit.tensor.Shape;

/**
 * An f32 tensor in host memory, canonical (row-major) layout: what checkpoints store per name. The array is shared,
 * not copied; {@code data.length == shape.size()} always holds.
 */
public record HostTensor(Shape shape, float[] data) {

    public HostTensor {
        if (shape == null || data == null) throw new NullPointerException("HostTensor shape and data must be non-null");
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("tensor of shape " + shape + " needs " + shape.size()
                    + " floats but the array holds " + data.length);
        }
    }

    public static HostTensor of(float[] data, int... dims) { return new HostTensor(Shape.of(dims), data); }
}
