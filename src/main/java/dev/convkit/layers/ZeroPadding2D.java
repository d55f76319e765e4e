package dev.convkit.layers;

import dev.convkit.graph.Layer;
import dev.convkit.graph.Lowering;
import dev.convkit.ops.ZeroPad2d;
import dev.convkit.tensor.Shape;
import java.util.List;

/** Keras {@code ZeroPadding2D}: zeros around H and W, (C, H, W) → (C, top + H + bottom, left + W + right). */
public final class ZeroPadding2D extends Layer {
    private final int top, bottom, left, right;

    /** The same padding {@code pad} on all four sides (Keras {@code padding=pad}). */
    public ZeroPadding2D(String name, int pad) { this(name, pad, pad, pad, pad); }

    /** Keras {@code padding=((top, bottom), (left, right))}. */
    public ZeroPadding2D(String name, int top, int bottom, int left, int right) {
        super(name);
        this.top = LayerArgs.nonNegative(this, "top padding", top);
        this.bottom = LayerArgs.nonNegative(this, "bottom padding", bottom);
        this.left = LayerArgs.nonNegative(this, "left padding", left);
        this.right = LayerArgs.nonNegative(this, "right padding", right);
    }

    /** An unnamed layer; the model names it from its type and position. */
    public ZeroPadding2D(int pad) { this(null, pad); }

    /** Rows added above, rows below, columns on the left, columns on the right. */
    public int[] pads() { return new int[] {top, bottom, left, right}; }

    private ZeroPad2d op() { return new ZeroPad2d(top, bottom, left, right); }

    @Override public String type() { return "ZeroPadding2D"; }

    @Override protected void checkInputs(List<Shape> inputs) { checkImageInput(inputs); }

    @Override public void lower(Lowering ctx) {
        ctx.output(0, ctx.emit(op(), ctx.input(0)).get(0));
    }
}
