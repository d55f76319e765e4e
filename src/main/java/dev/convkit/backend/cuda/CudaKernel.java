package dev.convkit.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToDevice;

import dev.convkit.backend.Buffer;
import dev.convkit.backend.Kernel;
import dev.convkit.ops.Op;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Base of every cuda kernel: fixed input/output specs, native resources created at compile time and released by
 * {@link #close}, and a {@link #run} that validates the buffers, stores their device addresses in {@link #in},
 * {@link #out}, {@link #scratch} and {@link #saved}, and calls {@link #execute()} to enqueue the work. Nothing in
 * run allocates native memory.
 */
abstract class CudaKernel implements Kernel {
    protected final CudaBackend backend;
    private final Op op;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final DevicePointer copyDst = new DevicePointer();
    private final DevicePointer copySrc = new DevicePointer();
    private long scratchBytes;
    private long savedBytes;
    private boolean closed;

    /** Device addresses of the current run's inputs and outputs, in op order; valid inside {@link #execute()}. */
    protected final long[] in;
    protected final long[] out;
    /** Device addresses of the current run's scratch and saved buffers, 0 when none was passed. */
    protected long scratch;
    protected long saved;

    CudaKernel(CudaBackend backend, Op op, List<TensorSpec> inputs) {
        this.backend = backend;
        this.op = op;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(op.outputs(inputs));
        this.in = new long[inputs.size()];
        this.out = new long[outputs.size()];
        backend.underConstruction(this);  // so that a failing subclass constructor's resources are released
    }

    @Override public final Op op() { return op; }

    @Override public final List<TensorSpec> inputs() { return inputs; }

    @Override public final List<TensorSpec> outputs() { return outputs; }

    @Override public final long scratchBytes() { return scratchBytes; }

    @Override public final long savedBytes() { return savedBytes; }

    protected final void scratchBytes(long bytes) { this.scratchBytes = bytes; }

    protected final void savedBytes(long bytes) { this.savedBytes = bytes; }

    /** Registers a native resource released when the kernel closes (in reverse order). */
    protected final <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    /** A prepared launch of one of our kernels, owned by this kernel. */
    protected final Launch launch(DeviceFunction function) { return own(new Launch(backend, function, op, inputs)); }

    /** A set of cuDNN descriptors owned by this kernel. */
    protected final CudnnDescriptors descriptors() { return own(new CudnnDescriptors(op, inputs)); }

    @Override public final void run(Buffer[] src, Buffer[] dst, Buffer scratchBuffer, Buffer savedBuffer) {
        if (closed) throw new IllegalStateException(op.name() + " kernel is closed");
        backend.beforeLaunch(this);
        if (src.length != in.length || dst.length != out.length) {
            throw new IllegalArgumentException(op.name() + " takes " + in.length + " inputs and " + out.length
                    + " outputs, got " + src.length + " and " + dst.length);
        }
        for (int i = 0; i < in.length; i++) in[i] = address(src[i], inputs.get(i).bytes(), "input", i);
        for (int i = 0; i < out.length; i++) out[i] = address(dst[i], outputs.get(i).bytes(), "output", i);
        scratch = scratchBuffer == null && scratchBytes == 0 ? 0 : address(scratchBuffer, scratchBytes, "scratch", 0);
        saved = savedBuffer == null ? 0 : address(savedBuffer, savedBytes, "saved", 0);
        execute();
    }

    /** Enqueues the op on the engine's stream using {@link #in}, {@link #out}, {@link #scratch}, {@link #saved}. */
    protected abstract void execute();

    /** Queues a device-to-device copy of {@code bytes} on the engine's stream. */
    protected final void copy(long dstAddress, long srcAddress, long bytes) {
        Check.runtime(cudaMemcpyAsync(copyDst.at(dstAddress), copySrc.at(srcAddress), bytes, cudaMemcpyDeviceToDevice,
                backend.stream()), "cudaMemcpyAsync(device to device)", op, inputs);
    }

    private long address(Buffer b, long needed, String role, int index) {
        if (b instanceof CudaBuffer cb && cb.arena() instanceof CudaArena a && a.backend() == backend
                && !a.isClosed() && cb.bytes() >= needed) {
            return cb.address();
        }
        return CudaBuffer.of(b, backend, needed, role + " " + index + " of " + op.name()).address();
    }

    @Override public final void close() {
        if (closed) return;
        closed = true;
        RuntimeException failure = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                if (failure == null) failure = new IllegalStateException("closing " + op.name() + " kernel: " + e.getMessage(), e);
            }
        }
        if (failure != null) throw failure;
    }

    @Override public String toString() { return "cuda " + op.name() + " kernel " + op + " on " + inputs; }
}
