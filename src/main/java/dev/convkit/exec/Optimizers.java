package dev.convkit.exec;

import dev.convkit.ops.AdamUpdate;
import dev.convkit.ops.Op;
import dev.convkit.ops.RmsPropUpdate;
import dev.convkit.ops.SgdUpdate;

/** How many state slices of the parameters' size each optimizer update op keeps, and their names in checkpoints. */
public final class Optimizers {
    private Optimizers() {}

    public static String[] stateNames(Op update) {
        if (update instanceof SgdUpdate) return new String[] {"velocity"};
        if (update instanceof AdamUpdate) return new String[] {"m", "v"};
        if (update instanceof RmsPropUpdate) return new String[] {"mean_square"};
        throw new IllegalArgumentException("not an optimizer update op: " + update.name());
    }
}
