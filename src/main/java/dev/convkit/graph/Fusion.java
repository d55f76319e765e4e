package dev.convkit.graph;

import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.BatchNormInfer;
import dev.convkit.ops.BatchNormReluInfer;
import dev.convkit.ops.BatchNormReluTrain;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.ops.Op;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Rewrites a forward program into the fused ops an engine asked for ({@code Backend.fuses}). It runs before the
 * loss and backward ops exist, so the fused ops' own gradient rules build the backward program.
 *
 * <p>One pattern: {@code y = batch_norm_train(x, ...)} whose output 0 is read by nothing but {@code z =
 * relu(y)} (and is no program output) becomes {@code z = batch_norm_relu_train(x, ...)}; y is no longer written.
 * Likewise {@code batch_norm_infer} + ReLU becomes {@code batch_norm_relu_infer} in inference programs.
 * In ResNet v1 (conv → BN → ReLU) and DenseNet-BC (BN → ReLU → conv) almost every BN qualifies.
 *
 * <p>Not fused: the end of a ResNet v1 block, {@code relu(add(BN(x), shortcut))}. oneDNN has a flag for it
 * (fuse_norm_add_relu), but 3.11's CPU batch normalization answers dnnl_unimplemented for it in both NCHW and
 * nChw16c, and composing it from BN plus a binary add with a ReLU post-op would save one eltwise pass forward
 * only (~1.4 ms of a 185 ms ResNet20 step at batch 128).
 */
final class Fusion {
    private Fusion() {}

    /** Fuses in place; {@code wanted} sees each candidate fused op and says whether the engine runs it. */
    static void apply(Program p, Predicate<Op> wanted) {
        Map<Value, List<Instr>> readers = new IdentityHashMap<>();
        for (Instr i : p.instrs) for (Value v : i.inputs()) readers.computeIfAbsent(v, k -> new ArrayList<>()).add(i);
        Map<Instr, Instr> replacement = new IdentityHashMap<>();   // BN instr → fused instr (index fixed below)
        Map<Instr, Boolean> dropped = new IdentityHashMap<>();     // ReLU instrs absorbed
        for (Instr bn : p.instrs) {
            Op fused;
            if (bn.op() instanceof BatchNormTrain op) fused = new BatchNormReluTrain(op.epsilon(), op.momentum());
            else if (bn.op() instanceof BatchNormInfer op) fused = new BatchNormReluInfer(op.epsilon());
            else continue;
            Value y = bn.outputs().get(0);
            List<Instr> r = readers.getOrDefault(y, List.of());
            if (r.size() != 1 || p.outputs.contains(y)) continue;
            Instr relu = r.get(0);
            if (!(relu.op() instanceof ActivationOp a) || a.kind() != ActivationOp.Kind.RELU) continue;
            if (!wanted.test(fused)) continue;
            List<Value> outs = new ArrayList<>(bn.outputs());   // (y, mean, var) in training, (y) in inference
            outs.set(0, relu.outputs().get(0));
            replacement.put(bn, new Instr(-1, fused, bn.inputs(), List.copyOf(outs), null, bn.origin() + "+" + relu.origin()));
            dropped.put(relu, true);
        }
        if (replacement.isEmpty()) return;
        List<Instr> old = new ArrayList<>(p.instrs);
        p.instrs.clear();
        for (Instr i : old) {
            if (dropped.containsKey(i)) continue;
            Instr j = replacement.getOrDefault(i, i);
            p.instrs.add(new Instr(p.instrs.size(), j.op(), j.inputs(), j.outputs(), j.forward(), j.origin()));
        }
    }
}
