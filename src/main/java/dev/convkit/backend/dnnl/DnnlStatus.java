package dev.convkit.backend.dnnl;

import dev.convkit.backend.BackendException;
import dev.convkit.ops.Op;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * The single place where oneDNN status codes become exceptions. Every call into the C API that returns a
 * {@code dnnl_status_t} goes through {@link #check}, so a failure always names the call, dnnl's status and, when
 * there is one, the op and its input specs.
 */
final class DnnlStatus {
    private DnnlStatus() {}

    /** Name of the engine in messages, equal to {@link DnnlProvider#NAME}. */
    static final String ENGINE = "cpu";

    /**
     * Throws a {@link BackendException} unless {@code status} is {@code dnnl_success}.
     *
     * @param call  the C function that returned the status, e.g. {@code dnnl_primitive_execute}
     * @param op    the op being compiled or run, or null for engine-level calls (allocation, streams)
     * @param specs the op's input specs (ignored when op is null)
     */
    static void check(int status, String call, Op op, List<TensorSpec> specs) {
        if (status == 0) return;
        String message = call + " failed: " + name(status);
        if (op == null) throw new BackendException(ENGINE, message + " (status " + status + ")");
        throw new BackendException(ENGINE, op, specs, status, message);
    }

    /** dnnl's own name of a status code (dnnl_types.h, dnnl_common_types.h). */
    static String name(int status) {
        return switch (status) {
            case 0 -> "dnnl_success";
            case 1 -> "dnnl_out_of_memory";
            case 2 -> "dnnl_invalid_arguments";
            case 3 -> "dnnl_unimplemented";
            case 4 -> "dnnl_last_impl_reached";
            case 5 -> "dnnl_runtime_error";
            case 6 -> "dnnl_not_required";
            case 7 -> "dnnl_invalid_graph";
            case 8 -> "dnnl_invalid_graph_op";
            case 9 -> "dnnl_invalid_shape";
            case 10 -> "dnnl_invalid_data_type";
            default -> "dnnl status " + status;
        };
    }
}
