package dev.convkit.backend.dnnl;

import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Conv2dBwdData;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.ops.GlobalAvgPoolBwd;
import dev.convkit.ops.Op;
import dev.convkit.ops.Unflatten;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Which layout each kernel of the cpu engine writes, so that activations stay in the engine's blocked format from
 * the first convolution to the flatten or global pooling at the head, with no conversion in between:
 * <ul>
 *   <li>ops that create 4-D activations from weights or from 2-D tensors (convolution forward and backward data,
 *       global-average-pool backward, unflatten) write the blocked format;</li>
 *   <li>every other op writes its 4-D outputs blocked exactly when one of its inputs is blocked, and then works
 *       on blocked copies of any canonical 4-D input. Ops fed only canonical tensors stay canonical, which keeps
 *       sums of parameter gradients (4-D convolution weights) canonical, as the optimizer needs;</li>
 *   <li>every non-4-D output, and the weight and bias gradients of convolutions, are canonical.</li>
 * </ul>
 * "Blocked" here means the engine format of the tensor's element type ({@link DnnlActivationFormats}: channel
 * blocks, or channels last for bf16 on AMX); a type without one (see {@link DnnlBlockedFormat#probe}) stays canonical.
 */
final class DnnlLayoutPolicy {
    private DnnlLayoutPolicy() {}

    /**
     * The physical output specs of {@code op} on these physical inputs, given the specs its shape rule returned
     * (which may carry an input's layout along).
     */
    static List<TensorSpec> outputs(Op op, List<TensorSpec> inputs, List<TensorSpec> logical, DnnlActivationFormats formats) {
        boolean blocked = !(op instanceof Conv2dBwdFilter)
                && (createsActivations(op) || inputs.stream().anyMatch(s -> s.layout() == Layout.ENGINE));
        List<TensorSpec> out = new ArrayList<>(logical.size());
        for (TensorSpec s : logical) out.add(blocked && s.rank() == 4 && formats.of(s) != null ? engine(s) : canonical(s));
        return out;
    }

    /** Ops whose 4-D output is not derived element by element from a 4-D input of the same layout. */
    private static boolean createsActivations(Op op) {
        return op instanceof Conv2d || op instanceof Conv2dBwdData || op instanceof GlobalAvgPoolBwd
                || op instanceof Unflatten;
    }

    static TensorSpec canonical(TensorSpec spec) { return new TensorSpec(spec.shape(), spec.dtype(), Layout.CANONICAL); }

    /** {@code spec} in the engine layout. */
    static TensorSpec engine(TensorSpec spec) { return new TensorSpec(spec.shape(), spec.dtype(), Layout.ENGINE); }
}
