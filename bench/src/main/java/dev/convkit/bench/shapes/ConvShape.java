package dev.convkit.bench.shapes;

import dev.convkit.ops.Window2d;
import dev.convkit.tensor.TensorSpec;
import java.util.Set;

/**
 * A 2-D convolution problem in benchdnn's conv notation, e.g. {@code mb128ic16ih32oc32oh16kh3sh2n"resnet20v1:stage2"}.
 *
 * <p>Keys: {@code mb} batch, {@code ic}/{@code oc} channels, {@code ih iw} input and {@code oh ow} output size,
 * {@code kh kw} kernel, {@code sh sw} stride (default 1), {@code ph pw} padding before (top/left, default 0),
 * {@code dh dw} dilation minus one as in benchdnn (default 0 = dense), {@code g} groups (only 1). A width key that
 * is absent takes its height key's value (square problems need only the h keys). When {@code oh} is absent it is
 * computed with symmetric padding; when given, the padding after (bottom/right) is whatever makes that output size,
 * as benchdnn does; that is how TensorFlow's asymmetric 'same' padding (0 before, 1 after) is written:
 * {@code ih32oh16kh3sh2ph0}. Padding on either side must be smaller than the (dilated) kernel.
 */
public record ConvShape(int mb, int ic, int ih, int iw, int oc, int oh, int ow, int kh, int kw, int sh, int sw,
                        int ph, int pw, int dh, int dw, String name) {
    private static final Set<String> KEYS = Set.of("g", "mb", "ic", "ih", "iw", "oc", "oh", "ow", "kh", "kw", "sh",
            "sw", "ph", "pw", "dh", "dw");

    /** Parses one line; throws {@link IllegalArgumentException} saying which field is wrong. */
    public static ConvShape parse(String line) {
        Notation n = Notation.parse("conv", line, KEYS);
        if (n.alg != null) throw n.error("conv takes no --alg option");
        if (n.optional("g", 1, 1) != 1) throw n.error("grouped convolution (g > 1) is not a ConvKit op");
        int ih = n.required("ih", 1), kh = n.required("kh", 1), sh = n.optional("sh", 1, 1);
        int ph = n.optional("ph", 0, 0), dh = n.optional("dh", 0, 0);
        int iw = n.optional("iw", ih, 1), kw = n.optional("kw", kh, 1), sw = n.optional("sw", sh, 1);
        int pw = n.optional("pw", ph, 0), dw = n.optional("dw", dh, 0);
        int oh = n.optional("oh", symmetricOut(ih, kh, sh, ph, dh), 1);
        int ow = n.optional("ow", n.has("oh") && !n.has("iw") && !n.has("kw") && !n.has("sw") && !n.has("pw") && !n.has("dw")
                ? oh : symmetricOut(iw, kw, sw, pw, dw), 1);
        ConvShape s = new ConvShape(n.required("mb", 1), n.required("ic", 1), ih, iw, n.required("oc", 1), oh, ow,
                kh, kw, sh, sw, ph, pw, dh, dw, n.name);
        int ekh = (kh - 1) * (dh + 1) + 1, ekw = (kw - 1) * (dw + 1) + 1;
        if (s.rawPad(oh, sh, ekh, ih, ph) <= -sh || s.rawPad(ow, sw, ekw, iw, pw) <= -sw) {
            throw n.error("output " + oh + "x" + ow + " is smaller than input, kernel, stride and padding give");
        }
        if (ph >= ekh || pw >= ekw || s.padBottom() >= ekh || s.padRight() >= ekw) {
            throw n.error("output " + oh + "x" + ow + " needs padding " + ph + "/" + s.padBottom() + " (h) and " + pw + "/"
                    + s.padRight() + " (w) before/after; padding must be smaller than the kernel " + ekh + "x" + ekw);
        }
        return s;
    }

    private static int symmetricOut(int in, int k, int s, int p, int d) {
        return (in + 2 * p - ((k - 1) * (d + 1) + 1)) / s + 1;
    }

    /**
     * Padding after (bottom) that yields {@code oh}: benchdnn's {@code (oh - 1) * sh + effective kernel - ih - ph},
     * or 0 where that is negative (the last input rows that no window reaches, as in a 'valid' convolution).
     */
    public int padBottom() { return Math.max(0, rawPad(oh, sh, (kh - 1) * (dh + 1) + 1, ih, ph)); }

    public int padRight() { return Math.max(0, rawPad(ow, sw, (kw - 1) * (dw + 1) + 1, iw, pw)); }

    private int rawPad(int out, int stride, int effectiveKernel, int in, int before) {
        return (out - 1) * stride + effectiveKernel - in - before;
    }

    /** The op geometry: ConvKit's dilation is benchdnn's plus one. */
    public Window2d window() {
        return new Window2d(kh, kw, sh, sw, ph, padBottom(), pw, padRight(), dh + 1, dw + 1);
    }

    public TensorSpec src() { return TensorSpec.f32(mb, ic, ih, iw); }

    public TensorSpec weights() { return TensorSpec.f32(oc, ic, kh, kw); }

    public TensorSpec bias() { return TensorSpec.f32(oc); }

    public TensorSpec dst() { return TensorSpec.f32(mb, oc, oh, ow); }

    /** Multiply-adds times two of one direction (forward, backward data and backward weights all cost the same). */
    public double flops() { return 2.0 * mb * oc * oh * ow * (double) ic * kh * kw; }

    /** The canonical line: width keys only where they differ from the height keys; defaults left out. */
    public String line() {
        StringBuilder sb = new StringBuilder();
        sb.append("mb").append(mb).append("ic").append(ic).append("ih").append(ih);
        if (iw != ih) sb.append("iw").append(iw);
        sb.append("oc").append(oc).append("oh").append(oh);
        if (ow != oh || iw != ih || kw != kh || sw != sh || pw != ph || dw != dh) sb.append("ow").append(ow);
        sb.append("kh").append(kh);
        if (kw != kh) sb.append("kw").append(kw);
        if (sh != 1) sb.append("sh").append(sh);
        if (sw != sh) sb.append("sw").append(sw);
        if (ph != 0) sb.append("ph").append(ph);
        if (pw != ph) sb.append("pw").append(pw);
        if (dh != 0) sb.append("dh").append(dh);
        if (dw != dh) sb.append("dw").append(dw);
        return Notation.withName(sb, name);
    }

    /** Builds the shape of a convolution with these specs and geometry (inverse of {@link #window()}). */
    public static ConvShape of(TensorSpec src, TensorSpec weights, Window2d w, String name) {
        return new ConvShape(src.dim(0), src.dim(1), src.dim(2), src.dim(3), weights.dim(0), w.outH(src.dim(2)),
                w.outW(src.dim(3)), w.kernelH(), w.kernelW(), w.strideH(), w.strideW(), w.padTop(), w.padLeft(),
                w.dilationH() - 1, w.dilationW() - 1, name);
    }
}
