package dev.convkit.graph;

import dev.convkit.ops.AddOp;
import dev.convkit.ops.BackwardBuilder;
import dev.convkit.ops.Differentiable;
import dev.convkit.ops.Op;
import dev.convkit.ops.Operand;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode differentiation over op records: walks the forward instructions backwards and lets each op's
 * gradient rule ({@link Differentiable#backward}) emit explicit backward ops. Contributions to one value's
 * gradient are summed with one n-ary {@link AddOp} when first needed. Only values that depend on a trainable
 * parameter get gradients.
 */
final class Autodiff {
    private Autodiff() {}

    static void backward(ProgramBuilder b, Model m) {
        Program p = b.program();
        Set<Value> requires = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Value v : p.params.values()) if (v.role() == Value.Role.PARAM) requires.add(v);
        List<Instr> forward = new ArrayList<>(p.instrs);
        for (Instr i : forward) {
            if (i.inputs().stream().anyMatch(requires::contains)) requires.addAll(i.outputs());
        }
        Map<Value, List<Value>> contributions = new IdentityHashMap<>();
        Map<Value, Value> summed = new IdentityHashMap<>();
        contributions.computeIfAbsent(p.loss, k -> new ArrayList<>()).add(p.one);
        for (int k = forward.size() - 1; k >= 0; k--) {
            Instr instr = forward.get(k);
            boolean any = instr.outputs().stream().anyMatch(contributions::containsKey);
            boolean wanted = instr.inputs().stream().anyMatch(requires::contains);
            if (!any || !wanted) continue;
            if (!(instr.op() instanceof Differentiable d)) {
                throw new GraphException("op " + instr.op().name() + " from " + instr.origin() + " is on the path to the loss but has no gradient rule");
            }
            d.backward(new Rule(b, instr, requires, contributions, summed));
        }
        for (Map.Entry<String, Value> e : p.params.entrySet()) {
            if (e.getValue().role() != Value.Role.PARAM) continue;
            Value g = gradOf(b, e.getValue(), contributions, summed, e.getKey() + "/grad");
            if (g != null) p.paramGrads.put(e.getKey(), g);
        }
    }

    /** The total gradient of {@code v}, emitting the sum of its contributions once. */
    static Value gradOf(ProgramBuilder b, Value v, Map<Value, List<Value>> contributions, Map<Value, Value> summed, String origin) {
        Value done = summed.get(v);
        if (done != null) return done;
        List<Value> parts = contributions.get(v);
        if (parts == null || parts.isEmpty()) return null;
        Value g = parts.size() == 1 ? parts.get(0) : b.emit(new AddOp(parts.size()), null, origin, parts.toArray(Value[]::new)).get(0);
        summed.put(v, g);
        return g;
    }

    private static final class Rule implements BackwardBuilder {
        private final ProgramBuilder b;
        private final Instr instr;
        private final Set<Value> requires;
        private final Map<Value, List<Value>> contributions;
        private final Map<Value, Value> summed;
        private final Map<Integer, Value> gradOut = new HashMap<>();

        Rule(ProgramBuilder b, Instr instr, Set<Value> requires, Map<Value, List<Value>> contributions, Map<Value, Value> summed) {
            this.b = b;
            this.instr = instr;
            this.requires = requires;
            this.contributions = contributions;
            this.summed = summed;
        }

        @Override public Operand input(int i) { return instr.inputs().get(i); }

        @Override public Operand output(int j) { return instr.outputs().get(j); }

        @Override public Operand gradOutput(int j) {
            return gradOut.computeIfAbsent(j, k -> gradOf(b, instr.outputs().get(k), contributions, summed, instr.origin() + "/grad_sum"));
        }

        @Override public boolean needsGrad(int i) { return requires.contains(instr.inputs().get(i)); }

        @Override public List<Operand> emit(Op op, Operand... inputs) {
            Value[] vs = new Value[inputs.length];
            for (int i = 0; i < inputs.length; i++) vs[i] = (Value) inputs[i];
            return new ArrayList<>(b.emit(op, instr, instr.origin() + "/" + op.name(), vs));
        }

        @Override public void gradInput(int i, Operand grad) {
            Value in = instr.inputs().get(i);
            if (!requires.contains(in)) return;
            contributions.computeIfAbsent(in, k -> new ArrayList<>()).add((Value) grad);
        }
    }
}
