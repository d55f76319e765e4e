package dev.convkit.graph;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A model lowered to a straight-line list of ops for one batch size: the forward ops, and for a training program
 * the loss and the backward ops from reverse-mode differentiation. Instructions are in execution order; every
 * value is written by exactly one instruction (or bound from outside: inputs, labels, params, state, host values),
 * except in-place inputs of ops such as BN running statistics. Optimizer updates are not part of the program:
 * the executor applies them to the flat parameter arena.
 */
public final class Program {
    final java.util.ArrayList<Value> values = new java.util.ArrayList<>();
    final java.util.ArrayList<Instr> instrs = new java.util.ArrayList<>();
    final java.util.ArrayList<Value> inputs = new java.util.ArrayList<>();
    final java.util.ArrayList<Value> outputs = new java.util.ArrayList<>();
    final java.util.LinkedHashMap<String, Value> params = new java.util.LinkedHashMap<>();
    final java.util.LinkedHashMap<String, Value> paramGrads = new java.util.LinkedHashMap<>();
    final int batchSize;
    final boolean training;
    Value labels;        // (N,) class indices or (N, K) one-hot; null without a loss
    Value loss;          // (1,) total loss including regularisers; null without a loss
    Value dataLoss;      // (1,) cross-entropy alone
    Value probs;         // (N, K) softmax of the single output, when the model has one rank-2 output
    Value stepCounter;   // (1,) dropout counter, HOST
    Value one;           // (1,) constant 1, seed of the backward pass, HOST

    Program(int batchSize, boolean training) {
        this.batchSize = batchSize;
        this.training = training;
    }

    public int batchSize() { return batchSize; }

    public boolean training() { return training; }

    public List<Value> values() { return Collections.unmodifiableList(values); }

    public List<Instr> instrs() { return Collections.unmodifiableList(instrs); }

    /** Model inputs in declaration order. */
    public List<Value> inputs() { return Collections.unmodifiableList(inputs); }

    /** Model outputs (logits) in declaration order. */
    public List<Value> outputs() { return Collections.unmodifiableList(outputs); }

    /** Parameters and BN state by structural name (roles PARAM and STATE). */
    public Map<String, Value> params() { return Collections.unmodifiableMap(params); }

    /** Final gradient value of each trainable parameter that receives one. */
    public Map<String, Value> paramGrads() { return Collections.unmodifiableMap(paramGrads); }

    public Value labels() { return labels; }

    public Value loss() { return loss; }

    public Value dataLoss() { return dataLoss; }

    public Value probs() { return probs; }

    public Value stepCounter() { return stepCounter; }

    public Value one() { return one; }

    /** One instruction per line, for debugging and tests. */
    public String listing() {
        StringBuilder sb = new StringBuilder();
        for (Instr i : instrs) sb.append(i).append('\n');
        return sb.toString();
    }
}
