package dev.convkit.bench.shapes;

import dev.convkit.ops.Pool2d;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.TensorSpec;
import java.util.Set;

/**
 * A pooling problem in benchdnn's pool notation with its algorithm option:
 * {@code --alg=max mb64ic64ih32oh16kh2sh2n"vgg16_cifar100:block1_pool"}. Algorithms: {@code max}, and
 * {@code avg_np} (average over the window's elements inside the input, Keras semantics; benchdnn's {@code avg_p},
 * which counts padding, is not a ConvKit op). Keys and defaults as in {@link ConvShape} without channels-out and
 * dilation: width keys mirror height keys, stride defaults to 1, padding before to 0, and a given {@code oh}
 * fixes the padding after.
 */
public record PoolShape(Pool2d.Kind kind, int mb, int ic, int ih, int iw, int oh, int ow, int kh, int kw, int sh,
                        int sw, int ph, int pw, String name) {
    private static final Set<String> KEYS = Set.of("mb", "ic", "ih", "iw", "oh", "ow", "kh", "kw", "sh", "sw", "ph", "pw");

    public static PoolShape parse(String line) {
        Notation n = Notation.parse("pool", line, KEYS);
        if (n.alg == null) throw n.error("pool needs --alg=max or --alg=avg_np before the problem");
        Pool2d.Kind kind = switch (n.alg) {
            case "max" -> Pool2d.Kind.MAX;
            case "avg_np" -> Pool2d.Kind.AVG;
            default -> throw n.error("unknown --alg=" + n.alg + "; pool takes max or avg_np");
        };
        int ih = n.required("ih", 1), kh = n.required("kh", 1), sh = n.optional("sh", 1, 1), ph = n.optional("ph", 0, 0);
        int iw = n.optional("iw", ih, 1), kw = n.optional("kw", kh, 1), sw = n.optional("sw", sh, 1), pw = n.optional("pw", ph, 0);
        int oh = n.optional("oh", (ih + 2 * ph - kh) / sh + 1, 1);
        int ow = n.optional("ow", n.has("oh") && !n.has("iw") && !n.has("kw") && !n.has("sw") && !n.has("pw")
                ? oh : (iw + 2 * pw - kw) / sw + 1, 1);
        PoolShape s = new PoolShape(kind, n.required("mb", 1), n.required("ic", 1), ih, iw, oh, ow, kh, kw, sh, sw, ph, pw, n.name);
        if ((oh - 1) * sh + kh - ih - ph <= -sh || (ow - 1) * sw + kw - iw - pw <= -sw) {
            throw n.error("output " + oh + "x" + ow + " is smaller than input, window, stride and padding give");
        }
        if (ph >= kh || pw >= kw || s.padBottom() >= kh || s.padRight() >= kw) throw n.error("padding must be smaller than the window");
        return s;
    }

    /** Padding after that yields {@code oh}, as in {@link ConvShape#padBottom()} (0 where the input has rows left over). */
    public int padBottom() { return Math.max(0, (oh - 1) * sh + kh - ih - ph); }

    public int padRight() { return Math.max(0, (ow - 1) * sw + kw - iw - pw); }

    public Window2d window() { return new Window2d(kh, kw, sh, sw, ph, padBottom(), pw, padRight(), 1, 1); }

    public Pool2d op() { return new Pool2d(kind, window()); }

    public TensorSpec src() { return TensorSpec.f32(mb, ic, ih, iw); }

    public TensorSpec dst() { return TensorSpec.f32(mb, ic, oh, ow); }

    public String line() {
        StringBuilder sb = new StringBuilder("--alg=").append(kind == Pool2d.Kind.MAX ? "max" : "avg_np").append(' ');
        sb.append("mb").append(mb).append("ic").append(ic).append("ih").append(ih);
        if (iw != ih) sb.append("iw").append(iw);
        sb.append("oh").append(oh);
        if (ow != oh || iw != ih || kw != kh || sw != sh || pw != ph) sb.append("ow").append(ow);
        sb.append("kh").append(kh);
        if (kw != kh) sb.append("kw").append(kw);
        if (sh != 1) sb.append("sh").append(sh);
        if (sw != sh) sb.append("sw").append(sw);
        if (ph != 0) sb.append("ph").append(ph);
        if (pw != ph) sb.append("pw").append(pw);
        return Notation.withName(sb, name);
    }

    public static PoolShape of(Pool2d op, TensorSpec src, String name) {
        Window2d w = op.window();
        return new PoolShape(op.kind(), src.dim(0), src.dim(1), src.dim(2), src.dim(3), w.outH(src.dim(2)),
                w.outW(src.dim(3)), w.kernelH(), w.kernelW(), w.strideH(), w.strideW(), w.padTop(), w.padLeft(), name);
    }
}
