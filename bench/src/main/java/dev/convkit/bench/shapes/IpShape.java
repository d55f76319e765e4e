package dev.convkit.bench.shapes;

import dev.convkit.tensor.TensorSpec;
import java.util.Set;

/**
 * A fully connected (inner product) problem in benchdnn's ip notation, restricted to flat inputs:
 * {@code mb128ic576oc10n"mnist_cnn:dense"} is src [128, 576] times weights [576, 10]. The large square
 * {@code mb2048ic2048oc2048} is the single-precision matrix-multiply peak probe.
 */
public record IpShape(int mb, int ic, int oc, String name) {
    private static final Set<String> KEYS = Set.of("mb", "ic", "oc");

    public static IpShape parse(String line) {
        Notation n = Notation.parse("ip", line, KEYS);
        if (n.alg != null) throw n.error("ip takes no --alg option");
        return new IpShape(n.required("mb", 1), n.required("ic", 1), n.required("oc", 1), n.name);
    }

    public TensorSpec src() { return TensorSpec.f32(mb, ic); }

    /** [in, out], as Keras and ConvKit's Dense op store them. */
    public TensorSpec weights() { return TensorSpec.f32(ic, oc); }

    public TensorSpec bias() { return TensorSpec.f32(oc); }

    public TensorSpec dst() { return TensorSpec.f32(mb, oc); }

    /** 2·mb·ic·oc: the same for forward, backward data and backward weights. */
    public double flops() { return 2.0 * mb * ic * (double) oc; }

    public String line() {
        return Notation.withName(new StringBuilder().append("mb").append(mb).append("ic").append(ic).append("oc").append(oc), name);
    }
}
