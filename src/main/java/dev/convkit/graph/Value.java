package dev.convkit.graph;

import dev.convkit.ops.Operand;
import dev.convkit.tensor.TensorSpec;

/** A tensor of a lowered {@link Program}, with its full spec (batch included) and where its memory comes from. */
public final class Value implements Operand {
    /** Where a value lives; the executor maps each role to an arena. */
    public enum Role {
        /** A model input fed per step (images). */
        INPUT,
        /** Labels fed per step. */
        LABELS,
        /** A trainable parameter. */
        PARAM,
        /** Non-trainable state updated in place (BN moving mean/variance). */
        STATE,
        /** A small per-step host value: the dropout step counter, the optimizer hyper [lr, t], the constant 1. */
        HOST,
        /** Produced by an op; memory reused by liveness, except for program outputs. */
        ACTIVATION
    }

    private final int id;
    private final TensorSpec spec;
    private final Role role;
    private final String name;

    Value(int id, TensorSpec spec, Role role, String name) {
        this.id = id;
        this.spec = spec;
        this.role = role;
        this.name = name;
    }

    public int id() { return id; }

    @Override public TensorSpec spec() { return spec; }

    public Role role() { return role; }

    /** Structural name for params/inputs ("stage1/block1/conv1/kernel"), or a debugging label. */
    public String name() { return name; }

    @Override public String toString() { return "%" + id + ":" + name + spec; }
}
