package dev.convkit.graph;

import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.AddOp;
import dev.convkit.ops.Composite;
import dev.convkit.ops.L2Penalty;
import dev.convkit.ops.Op;
import dev.convkit.ops.Operand;
import dev.convkit.ops.SoftmaxCrossEntropy;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Lowers a {@link Model} to a {@link Program}: layer by layer, then (for training) loss and backward ops. */
public final class ProgramBuilder {
    private final Program p;
    private final Predicate<Op> fuses;   // composites the engine runs itself; others are emitted decomposed
    private final MixedPrecision mixed;

    private ProgramBuilder(int batch, boolean training, Predicate<Op> fuses, Precision precision) {
        this.p = new Program(batch, training);
        this.fuses = fuses;
        this.mixed = new MixedPrecision(precision, this);
    }

    /** Labels format of the loss. */
    public enum Labels { SPARSE, ONE_HOT }

    /**
     * The training program: forward with batch statistics and dropout, softmax cross-entropy on the single output,
     * plus every parameter's l2 penalty, then the backward ops for every trainable parameter.
     */
    public static Program training(Model m, int batch, Labels labels) { return training(m, batch, labels, op -> false); }

    /**
     * The training program with fused ops where {@code fuses} accepts them (an engine's {@code Backend::fuses}):
     * see {@link Fusion}. The arithmetic is the same as without fusion.
     */
    public static Program training(Model m, int batch, Labels labels, Predicate<Op> fuses) {
        return training(m, batch, labels, fuses, Precision.FP32);
    }

    /**
     * The training program under a precision policy: with {@link Precision#MIXED_BF16} the forward and backward ops
     * run on bf16 activations, with f32 parameters, parameter gradients and loss (see {@link MixedPrecision}).
     */
    public static Program training(Model m, int batch, Labels labels, Predicate<Op> fuses, Precision precision) {
        return training(m, batch, labels, fuses, precision, 0);
    }

    /**
     * The training program with coupled weight decay {@code weightDecay} (PyTorch's {@code SGD(weight_decay=wd)}): every
     * trainable {@link ParamKind#KERNEL} parameter w (conv, depthwise conv and dense kernels; not biases, BN parameters
     * or moving statistics) gets wd·w added to its gradient, whatever the optimizer. It is the l2 penalty (wd/2)·Σw²,
     * so the training loss includes it as it includes a Keras l2; a kernel that already has l2(λ) gets one penalty
     * with coefficient λ + wd/2.
     *
     * @param weightDecay ≥ 0 and finite; 0 adds nothing
     */
    public static Program training(Model m, int batch, Labels labels, Predicate<Op> fuses, Precision precision, double weightDecay) {
        requireWeightDecay(weightDecay);
        if (m.outputs().size() != 1) throw new GraphException("model '" + m.name() + "' has " + m.outputs().size()
                + " outputs; training needs exactly one (logits)");
        ProgramBuilder b = new ProgramBuilder(batch, true, fuses, precision);
        b.forward(m);
        Fusion.apply(b.p, fuses);
        b.addLoss(m, labels);
        List<Value> penalties = new ArrayList<>();
        penalties.add(b.p.dataLoss);
        for (Map.Entry<String, ParamSpec> e : m.params().entrySet()) {
            float lambda = penalty(e.getValue(), weightDecay);
            if (lambda > 0f) penalties.add(b.emit(new L2Penalty(lambda), null, e.getKey() + "/l2", b.p.params.get(e.getKey())).get(0));
        }
        b.p.loss = penalties.size() == 1 ? b.p.dataLoss : b.emit(new AddOp(penalties.size()), null, "total_loss", penalties.toArray(Value[]::new)).get(0);
        b.p.one = b.value(TensorSpec.f32(1), Value.Role.HOST, "one");
        Autodiff.backward(b, m);
        return b.p;
    }

    /** The l2 coefficient of one parameter: its own Keras l2, plus wd/2 for a kernel (one penalty op, not two). */
    /** The one check of a coupled weight decay: ≥ 0 and finite, else an IllegalArgumentException naming it. */
    public static double requireWeightDecay(double weightDecay) {
        if (!(weightDecay >= 0 && Double.isFinite(weightDecay))) {
            throw new IllegalArgumentException("weight decay must be >= 0 and finite, got " + weightDecay);
        }
        return weightDecay;
    }

    private static float penalty(ParamSpec s, double weightDecay) {
        return s.kind() == ParamKind.KERNEL ? (float) (s.l2() + weightDecay / 2) : s.l2();
    }

    /** The inference program: BN with moving statistics, dropout off; probs = softmax of a single rank-2 output. */
    public static Program inference(Model m, int batch, Labels lossLabels) {
        return inference(m, batch, lossLabels, op -> false);
    }

    /** The inference program with fused ops where {@code fuses} accepts them (see {@link Fusion}). */
    public static Program inference(Model m, int batch, Labels lossLabels, Predicate<Op> fuses) {
        return inference(m, batch, lossLabels, fuses, Precision.FP32);
    }

    /** The inference program under a precision policy (outputs and probabilities are f32 under every policy). */
    public static Program inference(Model m, int batch, Labels lossLabels, Predicate<Op> fuses, Precision precision) {
        ProgramBuilder b = new ProgramBuilder(batch, false, fuses, precision);
        b.forward(m);
        Fusion.apply(b.p, fuses);
        if (lossLabels != null) b.addLoss(m, lossLabels);
        else if (m.outputs().size() == 1 && b.p.outputs.get(0).spec().rank() == 2) {
            b.p.probs = b.emit(new ActivationOp(ActivationOp.Kind.SOFTMAX), null, "probs", b.p.outputs.get(0)).get(0);
        }
        return b.p;
    }

    private void addLoss(Model m, Labels labels) {
        Value logits = p.outputs.get(0);
        if (logits.spec().rank() != 2) throw new GraphException("model '" + m.name() + "': the loss needs (classes) logits, got "
                + logits.spec().shape().dropBatch());
        p.labels = value(labels == Labels.SPARSE ? TensorSpec.f32(p.batchSize) : logits.spec(), Value.Role.LABELS, "labels");
        List<Value> out = emit(new SoftmaxCrossEntropy(labels == Labels.SPARSE), null, "loss", logits, p.labels);
        p.dataLoss = out.get(0);
        p.probs = out.get(1);
    }

    private void forward(Model m) {
        p.stepCounter = value(TensorSpec.f32(1), Value.Role.HOST, "step_counter");
        for (Map.Entry<String, ParamSpec> e : m.params().entrySet()) {
            ParamSpec s = e.getValue();
            p.params.put(e.getKey(), value(TensorSpec.f32(s.shape()), s.kind().trainable() ? Value.Role.PARAM : Value.Role.STATE, e.getKey()));
        }
        Map<SymbolicTensor, Value> bound = new IdentityHashMap<>();
        for (SymbolicTensor in : m.inputs()) {
            Value v = value(TensorSpec.f32(in.shape().withBatch(p.batchSize)), Value.Role.INPUT, in.node().layer().name());
            p.inputs.add(v);
            bound.put(in, v);
        }
        for (Node n : m.nodes()) {
            if (n.layer() instanceof Input) continue;
            LayerLowering ctx = new LayerLowering(n, bound);
            n.layer().lower(ctx);
            for (int i = 0; i < n.outputs().size(); i++) {
                Value v = ctx.outputs[i];
                if (v == null) throw new IllegalStateException("layer " + n.layer() + " did not declare output " + i);
                Shape want = n.outputs().get(i).shape().withBatch(p.batchSize);
                if (!v.spec().shape().equals(want)) {
                    // The node's shapes come from the same lowering at batch 1 in inference mode; a difference
                    // means the layer's lowering depends on the batch size or the mode in its output shape.
                    throw new IllegalStateException("layer " + n.layer() + " lowered output " + i + " to " + v.spec().shape()
                            + " in the " + (p.training ? "training" : "inference") + " program but to " + want
                            + " when its shapes were derived (batch 1, inference)");
                }
                bound.put(n.outputs().get(i), v);
            }
        }
        for (SymbolicTensor out : m.outputs()) p.outputs.add(mixed.toVariableType(bound.get(out)));
    }

    Value value(TensorSpec spec, Value.Role role, String name) {
        Value v = new Value(p.values.size(), spec, role, name);
        p.values.add(v);
        return v;
    }

    /**
     * Appends an instruction; output specs come from the op's shape rule. A {@link Composite} the engine does not
     * claim ({@code fuses}) is appended as its decomposition instead, recursively; its ops get no forward hint.
     */
    List<Value> emit(Op op, Instr forward, String origin, Value... inputs) {
        if (op instanceof Composite c && !fuses.test(c)) {
            List<Operand> outs = c.decompose((o, xs) -> List.copyOf(emit(o, null, origin,
                    Arrays.copyOf(xs, xs.length, Value[].class))), List.of(inputs));
            return outs.stream().map(Value.class::cast).toList();
        }
        List<TensorSpec> specs = Arrays.stream(inputs).map(Value::spec).toList();
        List<TensorSpec> outSpecs;
        try {
            outSpecs = op.outputs(specs);
        } catch (IllegalArgumentException e) {
            throw new GraphException("while lowering " + origin + ": " + e.getMessage(), e);
        }
        List<Value> outs = new ArrayList<>();
        for (int i = 0; i < outSpecs.size(); i++) outs.add(value(outSpecs.get(i), Value.Role.ACTIVATION, origin + (outSpecs.size() > 1 ? ":" + i : "")));
        p.instrs.add(new Instr(p.instrs.size(), op, List.of(inputs), List.copyOf(outs), forward, origin));
        return outs;
    }

    Program program() { return p; }

    private final class LayerLowering implements Lowering {
        private final Node node;
        private final Map<SymbolicTensor, Value> bound;
        final Value[] outputs;

        LayerLowering(Node node, Map<SymbolicTensor, Value> bound) {
            this.node = node;
            this.bound = bound;
            this.outputs = new Value[node.outputs().size()];
        }

        @Override public boolean training() { return p.training; }

        @Override public int batchSize() { return p.batchSize; }

        @Override public int inputCount() { return node.inputs().size(); }

        @Override public Value input(int i) { return bound.get(node.inputs().get(i)); }

        @Override public Value param(String localName) {
            Value v = p.params.get(node.layer().name() + "/" + localName);
            if (v == null) throw new IllegalStateException("layer " + node.layer() + " has no parameter '" + localName + "'");
            return v;
        }

        @Override public Value stepCounter() { return p.stepCounter; }

        @Override public List<Value> emit(Op op, Value... inputs) {
            return ProgramBuilder.this.emit(op, null, node.layer().name(), mixed.inputsFor(op, inputs));
        }

        @Override public void output(int i, Value v) { outputs[i] = v; }
    }
}
