package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** Small validation helpers shared by the op records' shape rules. */
final class Checks {
    private Checks() {}

    static void arity(Op op, List<TensorSpec> in, int n) {
        if (in.size() != n) throw new InvalidOpException(op, in, "expected " + n + " inputs, got " + in.size());
    }

    static void arity(Op op, List<TensorSpec> in, int min, int max) {
        if (in.size() < min || in.size() > max) {
            throw new InvalidOpException(op, in, "expected " + min + ".." + max + " inputs, got " + in.size());
        }
    }

    static void rank(Op op, List<TensorSpec> in, int i, int rank, String what) {
        if (in.get(i).rank() != rank) {
            throw new InvalidOpException(op, in, "input " + i + " (" + what + ") must have rank " + rank
                    + ", got " + in.get(i).shape());
        }
    }

    static void sameShape(Op op, List<TensorSpec> in, int i, int j) {
        if (!in.get(i).shape().equals(in.get(j).shape())) {
            throw new InvalidOpException(op, in, "inputs " + i + " and " + j + " must have the same shape, got "
                    + in.get(i).shape() + " and " + in.get(j).shape());
        }
    }

    /** Every input has input 0's element type (sums and concatenations do not mix precisions). */
    static void sameDType(Op op, List<TensorSpec> in) {
        for (int i = 1; i < in.size(); i++) {
            if (in.get(i).dtype() != in.get(0).dtype()) {
                throw new InvalidOpException(op, in, "every input must be " + in.get(0).dtype().lower() + " like input 0, but input "
                        + i + " is " + in.get(i).dtype().lower());
            }
        }
    }

    static void vector(Op op, List<TensorSpec> in, int i, int length, String what) {
        TensorSpec s = in.get(i);
        if (s.rank() != 1 || s.dim(0) != length) {
            throw new InvalidOpException(op, in, "input " + i + " (" + what + ") must be (" + length + ",), got " + s.shape());
        }
    }

    static void require(boolean ok, Op op, List<TensorSpec> in, String expected) {
        if (!ok) throw new InvalidOpException(op, in, expected);
    }
}
