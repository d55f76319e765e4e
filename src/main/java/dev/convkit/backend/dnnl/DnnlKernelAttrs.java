package dev.convkit.backend.dnnl;

import static org.bytedeco.dnnl.global.dnnl.dnnl_data_type_undef;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_sum;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_deterministic;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_post_ops;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_scratchpad_mode;
import static org.bytedeco.dnnl.global.dnnl.dnnl_scratchpad_mode_user;

import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive_attr;

/**
 * The primitive attributes of one kernel, each created on first use and released with the kernel's resources: the
 * plain one (scratchpad provided by the caller; deterministic implementations when the engine was opened so) and
 * the same plus a sum post-op, with which a primitive adds its result to what its destination holds.
 */
final class DnnlKernelAttrs {
    /** Reports a failed dnnl call (status, C function) for the kernel being built. */
    @FunctionalInterface
    interface Check {
        void check(int status, String call);
    }

    private final NativeResources resources;
    private final boolean deterministic;
    private final Check check;
    private dnnl_primitive_attr plain;
    private dnnl_primitive_attr accumulating;

    DnnlKernelAttrs(NativeResources resources, boolean deterministic, Check check) {
        this.resources = resources;
        this.deterministic = deterministic;
        this.check = check;
    }

    dnnl_primitive_attr plain() {
        if (plain == null) plain = create();
        return plain;
    }

    dnnl_primitive_attr accumulating() {
        if (accumulating == null) {
            dnnl_primitive_attr a = create();
            dnnl_post_ops sum = new dnnl_post_ops();
            check.check(dnnl_post_ops_create(sum), "dnnl_post_ops_create");
            resources.add("dnnl_post_ops_destroy", () -> dnnl_post_ops_destroy(sum));
            check.check(dnnl_post_ops_append_sum(sum, 1f, 0, dnnl_data_type_undef), "dnnl_post_ops_append_sum");
            check.check(dnnl_primitive_attr_set_post_ops(a, sum), "dnnl_primitive_attr_set_post_ops");
            accumulating = a;
        }
        return accumulating;
    }

    private dnnl_primitive_attr create() {
        dnnl_primitive_attr a = new dnnl_primitive_attr();
        check.check(dnnl_primitive_attr_create(a), "dnnl_primitive_attr_create");
        resources.add("dnnl_primitive_attr_destroy", () -> dnnl_primitive_attr_destroy(a));
        check.check(dnnl_primitive_attr_set_scratchpad_mode(a, dnnl_scratchpad_mode_user), "dnnl_primitive_attr_set_scratchpad_mode");
        if (deterministic) check.check(dnnl_primitive_attr_set_deterministic(a, 1), "dnnl_primitive_attr_set_deterministic");
        return a;
    }
}
