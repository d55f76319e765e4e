package dev.convkit.layers;

import dev.convkit.graph.Layer;
import dev.convkit.graph.Lowering;
import dev.convkit.ops.GlobalAvgPool;
import dev.convkit.tensor.Shape;
import java.util.List;

/** Keras {@code GlobalAveragePooling2D}: mean over H and W, (C, H, W) → (C). */
public final class GlobalAveragePooling2D extends Layer {
    public GlobalAveragePooling2D(String name) { super(name); }

    /** An unnamed layer; the model names it from its type and position. */
    public GlobalAveragePooling2D() { this(null); }

    @Override public String type() { return "GlobalAveragePooling2D"; }

    @Override protected void checkInputs(List<Shape> inputs) { checkImageInput(inputs); }

    @Override public void lower(Lowering ctx) {
        ctx.output(0, ctx.emit(new GlobalAvgPool(), ctx.input(0)).get(0));
    }
}
