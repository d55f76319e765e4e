package dev.convkit.bench.shapes;

import dev.convkit.tensor.TensorSpec;
import java.util.Set;

/**
 * A batch-normalisation problem in benchdnn's bnorm notation: {@code mb128ic16ih32n"resnet20v1:stage1"} is
 * [128, 16, 32, 32]; without {@code ih} it is the 2-D [mb, ic] of a normalised dense layer. {@code iw} defaults to
 * {@code ih}.
 */
public record BnormShape(int mb, int ic, int ih, int iw, boolean spatial, String name) {
    private static final Set<String> KEYS = Set.of("mb", "ic", "ih", "iw");

    public static BnormShape parse(String line) {
        Notation n = Notation.parse("bnorm", line, KEYS);
        if (n.alg != null) throw n.error("bnorm takes no --alg option");
        boolean spatial = n.has("ih") || n.has("iw");
        if (n.has("iw") && !n.has("ih")) throw n.error("'iw' needs 'ih'");
        int ih = spatial ? n.required("ih", 1) : 1;
        return new BnormShape(n.required("mb", 1), n.required("ic", 1), ih, spatial ? n.optional("iw", ih, 1) : 1,
                spatial, n.name);
    }

    /** [mb, ic, ih, iw], or [mb, ic] when not spatial. */
    public TensorSpec src() { return spatial ? TensorSpec.f32(mb, ic, ih, iw) : TensorSpec.f32(mb, ic); }

    public TensorSpec channels() { return TensorSpec.f32(ic); }

    /** Bytes of one activation tensor. */
    public long tensorBytes() { return 4L * mb * ic * ih * iw; }

    public String line() {
        StringBuilder sb = new StringBuilder().append("mb").append(mb).append("ic").append(ic);
        if (spatial) {
            sb.append("ih").append(ih);
            if (iw != ih) sb.append("iw").append(iw);
        }
        return Notation.withName(sb, name);
    }

    public static BnormShape of(TensorSpec src, String name) {
        return src.rank() == 4 ? new BnormShape(src.dim(0), src.dim(1), src.dim(2), src.dim(3), true, name)
                : new BnormShape(src.dim(0), src.dim(1), 1, 1, false, name);
    }
}
