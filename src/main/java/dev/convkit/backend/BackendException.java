package dev.convkit.backend;

import dev.convkit.ops.Op;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** A failure inside an engine, carrying the engine, the op and specs involved, and the library's own message. */
public class BackendException extends RuntimeException {
    private final String backend;
    private final int status;

    public BackendException(String backend, Op op, List<TensorSpec> specs, int status, String message) {
        super(backend + ": " + (op == null ? "" : op.name() + " " + op + " on " + specs + ": ") + message
                + (status == 0 ? "" : " (status " + status + ")"));
        this.backend = backend;
        this.status = status;
    }

    public BackendException(String backend, String message) {
        super(backend + ": " + message);
        this.backend = backend;
        this.status = 0;
    }

    public String backend() { return backend; }

    public int status() { return status; }
}
