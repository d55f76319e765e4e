package dev.convkit.backend.cuda;

import static org.bytedeco.cuda.global.cublas.cublasGetStatusName;
import static org.bytedeco.cuda.global.cublas.cublasGetStatusString;
import static org.bytedeco.cuda.global.cudart.cuGetErrorName;
import static org.bytedeco.cuda.global.cudart.cuGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorName;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudnn.cudnnGetErrorString;

import dev.convkit.backend.BackendException;
import dev.convkit.ops.Op;
import dev.convkit.tensor.TensorSpec;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;

/**
 * The one place where CUDA runtime, driver, cuDNN and cuBLAS statuses become exceptions. Success is 0 in all four
 * libraries; anything else throws a {@link BackendException} carrying the call, the op and specs being compiled or
 * run (when there is one), the status and the library's own error string.
 */
final class Check {
    /** Which library produced a status, deciding how it is named. */
    enum Library { RUNTIME, DRIVER, CUDNN, CUBLAS }

    static final String ENGINE = "cuda";

    private Check() {}

    /** Throws unless {@code status} is success; {@code op} and {@code specs} may be null outside a kernel. */
    static void check(Library library, int status, String call, Op op, List<TensorSpec> specs) {
        if (status == 0) return;
        throw new BackendException(ENGINE, op, specs, status, call + " failed: " + describe(library, status));
    }

    static void runtime(int status, String call) { check(Library.RUNTIME, status, call, null, null); }

    static void runtime(int status, String call, Op op, List<TensorSpec> specs) { check(Library.RUNTIME, status, call, op, specs); }

    static void driver(int status, String call, Op op, List<TensorSpec> specs) { check(Library.DRIVER, status, call, op, specs); }

    static void cudnn(int status, String call, Op op, List<TensorSpec> specs) { check(Library.CUDNN, status, call, op, specs); }

    static void cublas(int status, String call, Op op, List<TensorSpec> specs) { check(Library.CUBLAS, status, call, op, specs); }

    /** The library's name and description of a status, e.g. "cudaErrorMemoryAllocation: out of memory". */
    static String describe(Library library, int status) {
        switch (library) {
            case RUNTIME:
                return cudaGetErrorName(status).getString() + ": " + cudaGetErrorString(status).getString();
            case DRIVER:
                try (BytePointer name = new BytePointer(); BytePointer text = new BytePointer()) {
                    boolean known = cuGetErrorName(status, name) == 0 && cuGetErrorString(status, text) == 0;
                    return known ? name.getString() + ": " + text.getString() : "unknown CUDA driver error";
                }
            case CUDNN:
                return cudnnGetErrorString(status).getString();
            case CUBLAS:
                return cublasGetStatusName(status).getString() + ": " + cublasGetStatusString(status).getString();
            default:
                throw new AssertionError(library);
        }
    }
}
