package dev.convkit.graph;

import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.AddOp;
import dev.convkit.ops.BatchNormInfer;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.ops.Cast;
import dev.convkit.ops.Concat;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Crop2d;
import dev.convkit.ops.DenseOp;
import dev.convkit.ops.FlattenOp;
import dev.convkit.ops.GlobalAvgPool;
import dev.convkit.ops.LeakyRelu;
import dev.convkit.ops.Op;
import dev.convkit.ops.Pool2d;
import dev.convkit.ops.SplitOp;
import dev.convkit.ops.Unflatten;
import dev.convkit.ops.ZeroPad2d;
import dev.convkit.tensor.DType;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Where a mixed-precision forward program converts, applied while layers are lowered (so fusion, the loss and
 * autodiff all see the converted program):
 * <ul>
 *   <li>ops on the allow list ({@link #computesInLowPrecision}) read their activation inputs in the policy's compute
 *       type (bf16): a {@link Cast} is inserted before each activation input of another type, once per value;</li>
 *   <li>every other op (dropout, softmax, anything added later) reads f32 activations, cast back where needed;</li>
 *   <li>parameters and batch-norm state are never cast: the engine reads f32 master weights and converts them in the
 *       reorder into its own weight layout, which every step runs anyway, so the cast of a weight happens once per
 *       use per step, after the update, and costs no extra pass; batch-norm scale, shift and statistics are f32;</li>
 *   <li>the model's outputs (logits) are cast to f32, so softmax cross-entropy and the loss are f32.</li>
 * </ul>
 * The ops' shape rules carry the type of the activation input to their outputs, and weight gradients are f32 by
 * their shape rules, so the backward program autodiff builds is bf16 along the activations and f32 where the
 * optimizer reads. The gradient rule of {@link Cast} casts back, keeping each gradient in its value's type.
 */
final class MixedPrecision {
    private final Precision policy;
    private final ProgramBuilder builder;
    /** value → its cast to each other type, so a value read by many bf16 ops is converted once. */
    private final Map<Value, Map<DType, Value>> casts = new IdentityHashMap<>();

    MixedPrecision(Precision policy, ProgramBuilder builder) {
        this.policy = policy;
        this.builder = builder;
    }

    /** Whether {@code op} runs in the compute type: the op families oneDNN runs with bf16 data. */
    static boolean computesInLowPrecision(Op op) {
        if (op instanceof ActivationOp a) return a.kind() != ActivationOp.Kind.SOFTMAX;
        return op instanceof Conv2d || op instanceof DenseOp || op instanceof BatchNormTrain || op instanceof BatchNormInfer
                || op instanceof Pool2d || op instanceof GlobalAvgPool || op instanceof AddOp || op instanceof Concat
                || op instanceof SplitOp || op instanceof FlattenOp || op instanceof Unflatten || op instanceof ZeroPad2d
                || op instanceof Crop2d || op instanceof LeakyRelu;
    }

    /** {@code inputs} with each activation converted to the type {@code op} computes in. */
    Value[] inputsFor(Op op, Value[] inputs) {
        if (policy == Precision.FP32) return inputs;
        DType want = computesInLowPrecision(op) ? policy.computeType() : DType.F32;
        Value[] out = inputs.clone();
        for (int i = 0; i < out.length; i++) {
            Value.Role r = out[i].role();
            if ((r == Value.Role.ACTIVATION || r == Value.Role.INPUT) && out[i].spec().dtype() != want) out[i] = cast(out[i], want);
        }
        return out;
    }

    /** {@code v} as f32 (model outputs: logits are read by the loss and by the host). */
    Value toVariableType(Value v) { return v.spec().dtype() == policy.variableType() ? v : cast(v, policy.variableType()); }

    private Value cast(Value v, DType to) {
        return casts.computeIfAbsent(v, k -> new EnumMap<>(DType.class))
                .computeIfAbsent(to, t -> builder.emit(new Cast(t), null, v.name() + "/cast_" + t.lower(), v).get(0));
    }
}
