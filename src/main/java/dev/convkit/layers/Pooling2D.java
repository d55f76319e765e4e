package dev.convkit.layers;

import dev.convkit.graph.Layer;
import dev.convkit.graph.Lowering;
import dev.convkit.ops.Pool2d;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.Shape;
import java.util.List;

/**
 * Common part of {@link MaxPooling2D} and {@link AveragePooling2D}: (C, H, W) → (C, OH, OW) with a pool window,
 * strides (Keras default: the pool size) and valid or TensorFlow-same padding computed from the input H and W.
 *
 * @param <T> the concrete layer, so the fluent setters keep its type
 */
public abstract class Pooling2D<T extends Pooling2D<T>> extends Layer {
    private final Pool2d.Kind kind;
    private final WindowArgs window;

    Pooling2D(String name, Pool2d.Kind kind, int poolH, int poolW) {
        super(name);
        this.kind = kind;
        LayerArgs.positive(this, "pool height", poolH);
        LayerArgs.positive(this, "pool width", poolW);
        this.window = new WindowArgs(this, poolH, poolW, poolH, poolW);
    }

    abstract T self();

    public T strides(int s) { return strides(s, s); }

    public T strides(int sh, int sw) {
        window.strides(sh, sw);
        return self();
    }

    public T padding(Padding p) {
        window.padding(p);
        return self();
    }

    /** The window for an input of shape (C, H, W). */
    public Window2d window(Shape input) { return window.window(input); }

    @Override protected final void checkInputs(List<Shape> inputs) { checkImageInput(inputs); }

    @Override public final void lower(Lowering ctx) {
        Window2d w = window(ctx.input(0).spec().shape().dropBatch());
        ctx.output(0, ctx.emit(new Pool2d(kind, w), ctx.input(0)).get(0));
    }
}
