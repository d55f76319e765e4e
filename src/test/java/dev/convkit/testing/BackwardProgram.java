package dev.convkit.testing;

import dev.convkit.ops.BackwardBuilder;
import dev.convkit.ops.Differentiable;
import dev.convkit.ops.Op;
import dev.convkit.ops.Operand;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The backward ops one forward op's gradient rule emits, recorded by a {@link BackwardBuilder} of the tests' own,
 * and evaluated by any {@link StepRunner} (the float64 reference or an engine). Recording runs every emitted op's
 * shape rule, and every declared gradient must have its input's shape: a wrong rule fails here.
 */
public final class BackwardProgram implements BackwardBuilder {

    /** Where a value of the backward program comes from. */
    public enum Source { INPUT, OUTPUT, GRAD_OUTPUT, STEP }

    /** A value: forward input/output {@code index}, incoming gradient of output {@code index}, or output {@code index} of step {@code step}. */
    public record Value(Source source, int step, int index, TensorSpec spec) implements Operand {}

    /** One emitted op with its operands and output values. */
    public record Step(Op op, List<Value> inputs, List<TensorSpec> inputSpecs, List<Value> outputs) {}

    /** Runs one op on flat canonical arrays, returning its outputs. */
    @FunctionalInterface
    public interface StepRunner {
        double[][] run(Op op, List<TensorSpec> inputSpecs, double[][] inputs);
    }

    /** Outputs of every step, and the summed gradient of each forward input (null where the rule declared none). */
    public record Evaluation(List<double[][]> stepOutputs, double[][] gradients) {}

    private final Op forward;
    private final List<TensorSpec> inputSpecs;
    private final List<TensorSpec> outputSpecs;
    private final boolean[] needsGrad;
    private final boolean[] hasGradOutput;
    private final List<Step> steps = new ArrayList<>();
    private final List<List<Value>> contributions = new ArrayList<>();

    private BackwardProgram(Op forward, List<TensorSpec> inputSpecs, boolean[] needsGrad, boolean[] hasGradOutput) {
        this.forward = forward;
        this.inputSpecs = List.copyOf(inputSpecs);
        this.outputSpecs = forward.outputs(inputSpecs);
        if (needsGrad.length != inputSpecs.size() || hasGradOutput.length != outputSpecs.size()) {
            throw new IllegalArgumentException(forward.name() + ": needsGrad has " + needsGrad.length + " flags for "
                    + inputSpecs.size() + " inputs, hasGradOutput " + hasGradOutput.length + " for " + outputSpecs.size() + " outputs");
        }
        this.needsGrad = needsGrad.clone();
        this.hasGradOutput = hasGradOutput.clone();
        for (int i = 0; i < inputSpecs.size(); i++) contributions.add(new ArrayList<>());
    }

    /**
     * Records the gradient rule of {@code forward} for these input specs, with gradients wanted for the inputs flagged
     * in {@code needsGrad} and flowing into the outputs flagged in {@code hasGradOutput}.
     */
    public static BackwardProgram record(Op forward, List<TensorSpec> inputSpecs, boolean[] needsGrad, boolean[] hasGradOutput) {
        if (!(forward instanceof Differentiable d)) {
            throw new IllegalArgumentException(forward.name() + " is not differentiable");
        }
        BackwardProgram p = new BackwardProgram(forward, inputSpecs, needsGrad, hasGradOutput);
        d.backward(p);
        return p;
    }

    public Op forward() { return forward; }

    public List<TensorSpec> inputSpecs() { return inputSpecs; }

    public List<TensorSpec> outputSpecs() { return outputSpecs; }

    public List<Step> steps() { return List.copyOf(steps); }

    /** Whether the rule declared a gradient for forward input {@code i}. */
    public boolean hasGradient(int i) { return !contributions.get(i).isEmpty(); }

    @Override public Operand input(int i) { return new Value(Source.INPUT, -1, i, inputSpecs.get(i)); }

    @Override public Operand output(int j) { return new Value(Source.OUTPUT, -1, j, outputSpecs.get(j)); }

    @Override public Operand gradOutput(int j) {
        return hasGradOutput[j] ? new Value(Source.GRAD_OUTPUT, -1, j, outputSpecs.get(j)) : null;
    }

    @Override public boolean needsGrad(int i) { return needsGrad[i]; }

    @Override public List<Operand> emit(Op op, Operand... operands) {
        List<Value> ins = new ArrayList<>();
        for (Operand o : operands) ins.add((Value) o);
        List<TensorSpec> specs = ins.stream().map(Value::spec).toList();
        List<TensorSpec> outs = op.outputs(specs);
        List<Value> values = new ArrayList<>();
        for (int k = 0; k < outs.size(); k++) values.add(new Value(Source.STEP, steps.size(), k, outs.get(k)));
        steps.add(new Step(op, List.copyOf(ins), specs, List.copyOf(values)));
        return List.copyOf(values);
    }

    @Override public void gradInput(int i, Operand grad) {
        Value v = (Value) grad;
        if (!v.spec().shape().equals(inputSpecs.get(i).shape())) {
            throw new IllegalStateException(forward.name() + " " + forward + ": gradient declared for input " + i + " "
                    + inputSpecs.get(i) + " has shape " + v.spec().shape());
        }
        contributions.get(i).add(v);
    }

    /**
     * Runs the steps in order with {@code runner}. {@code forwardInputs}/{@code forwardOutputs} are the forward op's
     * values, {@code gradOutputs[j]} the incoming gradient of output j (ignored where none flows). Contributions to
     * one input's gradient are summed.
     */
    public Evaluation evaluate(StepRunner runner, double[][] forwardInputs, double[][] forwardOutputs,
                               double[][] gradOutputs) {
        List<double[][]> results = new ArrayList<>();
        for (Step s : steps) {
            double[][] in = new double[s.inputs().size()][];
            for (int k = 0; k < in.length; k++) in[k] = resolve(s.inputs().get(k), forwardInputs, forwardOutputs, gradOutputs, results).clone();
            results.add(runner.run(s.op(), s.inputSpecs(), in));
        }
        double[][] grads = new double[inputSpecs.size()][];
        for (int i = 0; i < grads.length; i++) {
            for (Value v : contributions.get(i)) {
                double[] g = resolve(v, forwardInputs, forwardOutputs, gradOutputs, results);
                if (grads[i] == null) {
                    grads[i] = g.clone();
                } else {
                    for (int k = 0; k < g.length; k++) grads[i][k] += g[k];
                }
            }
        }
        return new Evaluation(results, grads);
    }

    private static double[] resolve(Value v, double[][] in, double[][] out, double[][] dOut, List<double[][]> steps) {
        return switch (v.source()) {
            case INPUT -> in[v.index()];
            case OUTPUT -> out[v.index()];
            case GRAD_OUTPUT -> dOut[v.index()];
            case STEP -> steps.get(v.step())[v.index()];
        };
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder(forward.name() + " backward:");
        for (Step s : steps) sb.append("\n  ").append(s.op().name()).append(' ').append(s.inputs().stream()
                .map(v -> v.source() + (v.step() >= 0 ? "#" + v.step() : "") + "[" + v.index() + "]").toList());
        for (int i = 0; i < contributions.size(); i++) {
            if (!contributions.get(i).isEmpty()) sb.append("\n  grad input ").append(i).append(" <- ")
                    .append(Arrays.toString(contributions.get(i).stream().map(v -> v.source() + "[" + v.index() + "]").toArray()));
        }
        return sb.toString();
    }
}
