package dev.convkit.exec;

import dev.convkit.graph.Instr;
import dev.convkit.graph.Program;
import dev.convkit.graph.Value;
import dev.convkit.ops.Op;
import dev.convkit.tensor.TensorSpec;
import dev.convkit.testing.ReferenceOps;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A float64 interpreter of a whole {@link Program}: every instruction is evaluated by {@link ReferenceOps} in
 * program order, so a training program yields its loss (forward instructions) and its parameter gradients (the
 * backward instructions that autodiff emitted). It is the oracle of whole-model gradient checks: it runs exactly the
 * instructions an engine runs, only in double precision.
 *
 * <p>Every run starts from copies of the bound values, so parameters and BN moving statistics given to
 * {@link #run} are never modified; in-place updates (BN running statistics in training mode) land in the copies and
 * are returned in {@link Run#state()}. That makes repeated evaluations (finite differences) independent: the running
 * statistic side effects of one evaluation never leak into the next.
 */
public final class ReferenceProgramRunner {
    private final Program program;

    public ReferenceProgramRunner(Program program) { this.program = program; }

    public Program program() { return program; }

    /**
     * What one run computed: every value by id (null for values never computed), and the parameters and BN
     * statistics after the run (by structural name).
     */
    public record Run(double[][] values, Map<String, double[]> state) {
        public double[] get(Value v) {
            double[] a = values[v.id()];
            if (a == null) throw new IllegalStateException("value " + v + " was not computed by this run");
            return a;
        }

        public double scalar(Value v) { return get(v)[0]; }
    }

    /**
     * Runs the program, or its prefix up to the instruction that computes {@code stopAfter} (null: every
     * instruction).
     *
     * @param params      every parameter and BN statistic of the program, by structural name (canonical layout)
     * @param inputs      the model inputs in program order, NCHW
     * @param labels      class indices (sparse) or one-hot rows; null when the program has no loss
     * @param stepCounter the dropout counter (ignored by programs without dropout)
     */
    public Run run(Map<String, double[]> params, double[][] inputs, double[] labels, double stepCounter, Value stopAfter) {
        double[][] values = new double[program.values().size()][];
        Map<String, double[]> state = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : program.params().entrySet()) {
            double[] given = params.get(e.getKey());
            if (given == null) throw new IllegalArgumentException("no value given for parameter '" + e.getKey() + "'");
            double[] copy = checked(e.getValue(), given.clone(), "parameter '" + e.getKey() + "'");
            values[e.getValue().id()] = copy;
            state.put(e.getKey(), copy);
        }
        if (inputs.length != program.inputs().size()) {
            throw new IllegalArgumentException("program takes " + program.inputs().size() + " inputs, got " + inputs.length);
        }
        for (int i = 0; i < inputs.length; i++) {
            Value in = program.inputs().get(i);
            values[in.id()] = checked(in, inputs[i].clone(), "input " + i);
        }
        if (program.labels() != null) values[program.labels().id()] = checked(program.labels(), labels.clone(), "labels");
        if (program.stepCounter() != null) values[program.stepCounter().id()] = new double[] {stepCounter};
        if (program.one() != null) values[program.one().id()] = new double[] {1.0};

        Set<Integer> inPlaceAllowed = new HashSet<>();
        for (Value v : program.params().values()) inPlaceAllowed.add(v.id());
        for (Instr instr : program.instrs()) {
            Op op = instr.op();
            List<TensorSpec> specs = instr.inputs().stream().map(Value::spec).toList();
            double[][] in = new double[specs.size()][];
            for (int k = 0; k < in.length; k++) {
                Value v = instr.inputs().get(k);
                if (values[v.id()] == null) throw new IllegalStateException("instruction " + instr + " reads " + v + " before it is written");
                in[k] = values[v.id()];
            }
            // Only in-place inputs may be handed over by reference (their update is the op's meaning); every
            // other input gets a copy so that a reference op could never corrupt a value read later.
            Set<Integer> inPlace = new HashSet<>();
            for (int k : op.inPlaceInputs()) {
                inPlace.add(k);
                Value v = instr.inputs().get(k);
                if (!inPlaceAllowed.contains(v.id())) {
                    throw new IllegalStateException("instruction " + instr + " updates " + v
                            + " in place, which is not a parameter or BN statistic");
                }
            }
            for (int k = 0; k < in.length; k++) if (!inPlace.contains(k)) in[k] = in[k].clone();
            double[][] out = ReferenceOps.run(op, specs, in);
            for (int j = 0; j < out.length; j++) {
                Value v = instr.outputs().get(j);
                if (values[v.id()] != null) throw new IllegalStateException("instruction " + instr + " writes " + v + " a second time");
                values[v.id()] = out[j];
            }
            if (stopAfter != null && instr.outputs().contains(stopAfter)) break;
        }
        return new Run(values, state);
    }

    /** The total loss (data loss plus l2 penalties) of the training program at these parameters. */
    public double loss(Map<String, double[]> params, double[][] inputs, double[] labels) {
        return run(params, inputs, labels, 1, program.loss()).scalar(program.loss());
    }

    /** Every trainable parameter's gradient of the total loss, by structural name, from the backward instructions. */
    public Map<String, double[]> gradients(Run run) {
        Map<String, double[]> g = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : program.paramGrads().entrySet()) g.put(e.getKey(), run.get(e.getValue()));
        return g;
    }

    private static double[] checked(Value v, double[] data, String what) {
        if (data.length != v.spec().size()) {
            throw new IllegalArgumentException(what + " has " + data.length + " values, its spec " + v.spec() + " needs " + v.spec().size());
        }
        return data;
    }
}
