package dev.convkit.onnx;

import ai.onnx.proto.OnnxMl.NodeProto;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.AveragePooling2D;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.MaxPooling2D;
import dev.convkit.layers.Padding;
import dev.convkit.layers.Pooling2D;
import dev.convkit.layers.ZeroPadding2D;
import dev.convkit.onnx.GraphReader.Form;
import dev.convkit.onnx.GraphReader.Val;
import dev.convkit.ops.Window2d;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Conv, MaxPool, AveragePool and Pad on [N, C, H, W] tensors. ONNX gives explicit pads [top, left, bottom, right]
 * (or auto_pad); ConvKit layers take "valid" or TensorFlow-"same", so pads equal to TF-same for the actual input
 * size become {@link Padding#SAME}, zero pads {@link Padding#VALID}, and any other pads of a convolution a
 * {@link ZeroPadding2D} in front of a valid convolution (exact: a convolution's padding is zeros).
 */
final class SpatialImporter {
    private final GraphReader r;
    private final NodeImporter ops;

    SpatialImporter(GraphReader r, NodeImporter ops) {
        this.r = r;
        this.ops = ops;
    }

    void conv(NodeProto n) {
        Attrs a = new Attrs(n);
        Val x = image(n);
        int c = x.t().shape().dim(0), h = x.t().shape().dim(1), w = x.t().shape().dim(2);
        Tensors.Const wt = r.constant(n, 1, true);
        if (wt.floats() == null || wt.dims().length != 4 || wt.dims()[1] != c) {
            throw NodeImporter.shapeMismatch(n, wt, "float [O, " + c + ", KH, KW] (input '" + n.getInput(0) + "' has " + c + " channels)");
        }
        if (a.i("group", 1) != 1) throw new OnnxException(GraphReader.describe(n) + ": group=" + a.i("group", 1)
                + " (grouped or depthwise convolution) is not supported; ConvKit's Conv2D has group 1");
        int o = (int) wt.dims()[0], kh = (int) wt.dims()[2], kw = (int) wt.dims()[3];
        int[] ks = a.ints("kernel_shape", 2, kh, kw);
        if (ks[0] != kh || ks[1] != kw) throw NodeImporter.shapeMismatch(n, wt, "kernel " + ks[0] + "x" + ks[1] + " (attribute kernel_shape)");
        int[] s = a.ints("strides", 2, 1, 1), d = a.ints("dilations", 2, 1, 1);
        int[] pads = pads(n, a, h, w, kh, kw, s, d);
        Tensors.Const b = r.constant(n, 2, false);
        if (b != null && (b.floats() == null || b.size() != o)) throw NodeImporter.shapeMismatch(n, b, "float [" + o + "] (one bias per filter)");
        String name = r.layerName(n.getName());
        Window2d same = Window2d.same(h, w, kh, kw, s[0], s[1], d[0], d[1]);
        Padding mode = Padding.VALID;
        SymbolicTensor src = x.t();
        if (matches(pads, same)) {
            mode = Padding.SAME;
        } else if (!isZero(pads)) {
            src = new ZeroPadding2D(name == null ? null : r.layerName(name + "/pad"), pads[0], pads[2], pads[1], pads[3]).apply(src);
        }
        Conv2D conv = new Conv2D(name, o, kh, kw).strides(s[0], s[1]).dilation(d[0], d[1]).padding(mode).useBias(b != null);
        NodeProto act = ops.fusableActivation(n.getOutput(0), false);
        if (act != null) conv.activation(NodeImporter.activationName(act));
        Map<String, float[]> p = new LinkedHashMap<>();
        p.put("kernel", wt.floats());                      // ONNX and ConvKit both [O, C, KH, KW]
        if (b != null) p.put("bias", b.floats());
        ops.params(conv, p);
        ops.putFused(n.getOutput(0), act, new Val(conv.apply(src), Form.IMAGE));
    }

    void pool(NodeProto n, boolean avg) {
        Attrs a = new Attrs(n);
        Val x = image(n);
        int h = x.t().shape().dim(1), w = x.t().shape().dim(2);
        long[] kernel = a.ints("kernel_shape");
        if (kernel == null || kernel.length != 2) throw new OnnxException(GraphReader.describe(n) + ": needs a 2-D kernel_shape, got "
                + Arrays.toString(kernel));
        if (a.i("ceil_mode", 0) != 0) throw new OnnxException(GraphReader.describe(n) + ": ceil_mode=1 is not supported (floor only)");
        int[] dil = a.ints("dilations", 2, 1, 1);
        if (dil[0] != 1 || dil[1] != 1) throw new OnnxException(GraphReader.describe(n) + ": dilated pooling is not supported");
        int kh = (int) kernel[0], kw = (int) kernel[1];
        int[] s = a.ints("strides", 2, 1, 1);
        int[] pads = pads(n, a, h, w, kh, kw, s, dil);
        boolean includePad = avg && a.i("count_include_pad", 0) != 0;
        String name = r.layerName(n.getName());
        SymbolicTensor src = x.t();
        Padding mode;
        if (isZero(pads)) {
            mode = Padding.VALID;
        } else if (matches(pads, Window2d.same(h, w, kh, kw, s[0], s[1], 1, 1)) && !includePad) {
            mode = Padding.SAME;   // padded positions never win a max; TF's average counts only inside positions
        } else if (includePad) {
            src = new ZeroPadding2D(name == null ? null : r.layerName(name + "/pad"), pads[0], pads[2], pads[1], pads[3]).apply(src);
            mode = Padding.VALID;  // zeros in the window are counted, as count_include_pad=1 asks
        } else {
            throw new OnnxException(GraphReader.describe(n) + ": pads " + Arrays.toString(pads) + " (top, left, bottom, right) are neither 0 "
                    + "nor TensorFlow-'same' for a " + h + "x" + w + " input, which is all ConvKit's pooling expresses"
                    + (avg ? "" : " (padded positions must never win a max)"));
        }
        Pooling2D<?> pool = avg ? new AveragePooling2D(name, kh, kw).strides(s[0], s[1]).padding(mode)
                : new MaxPooling2D(name, kh, kw).strides(s[0], s[1]).padding(mode);
        r.put(n, new Val(pool.apply(src), Form.IMAGE));
    }

    void pad(NodeProto n) {
        Attrs a = new Attrs(n);
        String mode = a.s("mode", "constant");
        if (!mode.equals("constant")) throw new OnnxException(GraphReader.describe(n) + ": pad mode '" + mode + "' is not supported (constant only)");
        Val x = image(n);
        Tensors.Const p = r.constant(n, 1, true);
        if (p.longs() == null || p.size() != 8) throw new OnnxException(GraphReader.describe(n) + ": pads '" + p.name() + "' must be 8 integers "
                + "[0, 0, top, left, 0, 0, bottom, right], got shape " + p.shape());
        long[] v = p.longs();
        if (v[0] != 0 || v[1] != 0 || v[4] != 0 || v[5] != 0 || Arrays.stream(v).anyMatch(k -> k < 0)) {
            throw new OnnxException(GraphReader.describe(n) + ": pads " + Arrays.toString(v) + " must pad only H and W, by >= 0");
        }
        Tensors.Const value = r.constant(n, 2, false);
        if (value != null && value.floats() != null && value.floats().length > 0 && value.floats()[0] != 0f) {
            throw new OnnxException(GraphReader.describe(n) + ": constant_value " + value.floats()[0] + " is not supported (zero padding only)");
        }
        if (n.getInputCount() > 3 && !n.getInput(3).isEmpty()) throw new OnnxException(GraphReader.describe(n) + ": the axes input is not supported");
        if (v[2] == 0 && v[3] == 0 && v[6] == 0 && v[7] == 0) {   // PyTorch pads avg_pool2d's input by nothing
            r.put(n, x);
            return;
        }
        ZeroPadding2D z = new ZeroPadding2D(r.layerName(n.getName()), (int) v[2], (int) v[6], (int) v[3], (int) v[7]);
        r.put(n, new Val(z.apply(x.t()), Form.IMAGE));
    }

    private Val image(NodeProto n) {
        Val x = r.val(n, 0);
        if (x.form() != Form.IMAGE) {
            throw new OnnxException(GraphReader.describe(n) + ": input '" + n.getInput(0) + "' is " + x.form() + " (ConvKit shape "
                    + x.t().shape() + "); this op needs an [N, C, H, W] image");
        }
        return x;
    }

    /** Explicit pads [top, left, bottom, right] from pads or auto_pad. */
    private static int[] pads(NodeProto n, Attrs a, int h, int w, int kh, int kw, int[] s, int[] d) {
        String auto = a.s("auto_pad", "NOTSET");
        switch (auto) {
            case "NOTSET" -> {
                int[] p = a.ints("pads", 4, 0, 0, 0, 0);
                if (Arrays.stream(p).anyMatch(v -> v < 0)) throw new OnnxException(GraphReader.describe(n) + ": negative pads " + Arrays.toString(p));
                return p;
            }
            case "VALID" -> { return new int[4]; }
            case "SAME_UPPER", "SAME_LOWER" -> {
                Window2d same = Window2d.same(h, w, kh, kw, s[0], s[1], d[0], d[1]);
                return auto.equals("SAME_UPPER") ? new int[] {same.padTop(), same.padLeft(), same.padBottom(), same.padRight()}
                        : new int[] {same.padBottom(), same.padRight(), same.padTop(), same.padLeft()};
            }
            default -> throw new OnnxException(GraphReader.describe(n) + ": unknown auto_pad '" + auto + "'");
        }
    }

    private static boolean matches(int[] pads, Window2d same) {
        return pads[0] == same.padTop() && pads[1] == same.padLeft() && pads[2] == same.padBottom() && pads[3] == same.padRight()
                && !isZero(pads);
    }

    private static boolean isZero(int[] pads) { return Arrays.stream(pads).allMatch(v -> v == 0); }
}
