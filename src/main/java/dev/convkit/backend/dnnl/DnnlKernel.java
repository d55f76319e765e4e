package dev.convkit.backend.dnnl;

import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;

import dev.convkit.backend.Buffer;
import dev.convkit.backend.Kernel;
import dev.convkit.ops.Op;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_primitive;

/**
 * A compiled op of the cpu engine: oneDNN primitives and memory objects created once by {@link DnnlKernelBuilder},
 * plus host loops for ops oneDNN has no primitive for. A run validates the buffers, points every memory object at
 * its buffer ({@code dnnl_memory_set_data_handle}) and executes the steps in order; it allocates nothing.
 */
final class DnnlKernel implements Kernel {

    /**
     * Which run argument a memory object reads or writes; ZEROS is the engine's constant block of zeros (read with
     * zero strides, to clear the padded channels of blocked tensors).
     */
    enum Source { SRC, DST, SCRATCH, SAVED, ZEROS }

    /** A place in the run arguments: buffer {@code index} of {@code source}, {@code offset} bytes in. */
    record Slot(Source source, int index, long offset) {}

    /** A memory object and where its data lives during a run. */
    record Binding(dnnl_memory memory, Slot slot) {}

    /** One primitive execution with its argument array (built at compile time). */
    record PrimitiveCall(String what, dnnl_primitive primitive, dnnl_exec_arg_t args, int count) {}

    /** Java code over the run's buffers, for ops oneDNN has no primitive for. */
    @FunctionalInterface
    interface HostStep {
        void run(DnnlBuffer[] src, DnnlBuffer[] dst, DnnlBuffer scratch);
    }

    private final DnnlBackend backend;
    private final Op op;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;
    private final long scratchBytes;
    private final long savedBytes;
    /** Bytes of saved memory this kernel reads (a backward kernel using its forward kernel's saved memory). */
    private final long savedRead;
    private final Binding[] bindings;
    private final Object[] steps;
    private final NativeResources resources;

    // Reused on every run so that running allocates nothing.
    private final NativeAddress handle = new NativeAddress();
    private final DnnlBuffer[] srcBuffers;
    private final DnnlBuffer[] dstBuffers;
    private boolean open = true;

    DnnlKernel(DnnlBackend backend, Op op, List<TensorSpec> inputs, List<TensorSpec> outputs, long scratchBytes,
               long savedBytes, long savedRead, List<Binding> bindings, List<Object> steps, NativeResources resources) {
        this.backend = backend;
        this.op = op;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.scratchBytes = scratchBytes;
        this.savedBytes = savedBytes;
        this.savedRead = savedRead;
        this.bindings = bindings.toArray(new Binding[0]);
        this.steps = steps.toArray();
        this.resources = resources;
        this.srcBuffers = new DnnlBuffer[inputs.size()];
        this.dstBuffers = new DnnlBuffer[outputs.size()];
    }

    @Override public Op op() { return op; }

    /** What each primitive call of a run does, in order ("reorder", "matmul dyT·col", ...): which path was built. */
    List<String> primitiveCalls() {
        List<String> calls = new ArrayList<>();
        for (Object s : steps) if (s instanceof PrimitiveCall c) calls.add(c.what());
        return calls;
    }

    @Override public List<TensorSpec> inputs() { return inputs; }

    @Override public List<TensorSpec> outputs() { return outputs; }

    @Override public long scratchBytes() { return scratchBytes; }

    @Override public long savedBytes() { return savedBytes; }

    /** Saved bytes this kernel expects in {@link #run}'s {@code saved} argument (its own or its forward kernel's). */
    long savedBytesUsed() { return Math.max(savedBytes, savedRead); }

    @Override public void run(Buffer[] src, Buffer[] dst, Buffer scratch, Buffer saved) {
        if (!open) throw new IllegalStateException("kernel " + op.name() + " " + op + " was closed");
        collect(src, inputs, srcBuffers, "src");
        collect(dst, outputs, dstBuffers, "dst");
        DnnlBuffer scratchBuffer = scratchBytes > 0 ? require(scratch, scratchBytes, "scratch") : null;
        DnnlBuffer savedBuffer = savedBytesUsed() > 0 ? require(saved, savedBytesUsed(), "saved") : null;

        for (Binding b : bindings) {
            Slot s = b.slot();
            long base = switch (s.source()) {
                case SRC -> srcBuffers[s.index()].address();
                case DST -> dstBuffers[s.index()].address();
                case SCRATCH -> scratchBuffer.address();
                case SAVED -> savedBuffer.address();
                case ZEROS -> backend.zeros();
            };
            check(dnnl_memory_set_data_handle(b.memory(), handle.at(base + s.offset())), "dnnl_memory_set_data_handle");
        }
        boolean pending = false;
        for (Object step : steps) {
            if (step instanceof PrimitiveCall call) {
                int status = dnnl_primitive_execute(call.primitive(), backend.stream(), call.count(), call.args());
                // The call's name is built only on failure: run() is on every step's path and must not allocate.
                if (status != dnnl_success) check(status, "dnnl_primitive_execute(" + call.what() + ")");
                pending = true;
            } else {
                if (pending) check(dnnl_stream_wait(backend.stream()), "dnnl_stream_wait");
                pending = false;
                ((HostStep) step).run(srcBuffers, dstBuffers, scratchBuffer);
            }
        }
    }

    private void check(int status, String call) { DnnlStatus.check(status, call, op, inputs); }

    /** Checks that each buffer is a live cpu buffer of this backend large enough for its spec. */
    private void collect(Buffer[] given, List<TensorSpec> specs, DnnlBuffer[] into, String role) {
        if (given == null || given.length != specs.size()) {
            throw new IllegalArgumentException(op.name() + " " + op + ": expected " + specs.size() + " " + role
                    + " buffers for " + specs + ", got " + (given == null ? "null" : given.length));
        }
        for (int i = 0; i < given.length; i++) {
            into[i] = own(given[i], backend.sizeOf(specs.get(i)), role, i, specs.get(i));
        }
    }

    private DnnlBuffer require(Buffer given, long bytes, String role) { return own(given, bytes, role, -1, null); }

    /**
     * Checks one buffer. The role text ("src[1] (f32[8, 16, 32, 32])") is assembled only when a check fails, so a
     * successful run allocates nothing.
     */
    private DnnlBuffer own(Buffer given, long bytes, String roleName, int index, TensorSpec spec) {
        if (given instanceof DnnlBuffer b && b.dnnlArena().owner() == backend && b.bytes() >= bytes
                && b.dnnlArena().isOpen()) {
            return b;
        }
        String role = index < 0 ? roleName : roleName + "[" + index + "] (" + spec + ")";
        if (!(given instanceof DnnlBuffer b) || b.dnnlArena().owner() != backend) {
            throw new IllegalArgumentException(op.name() + " " + op + ": " + role + " must be a buffer of this cpu"
                    + " engine, got " + given);
        }
        if (b.bytes() < bytes) {
            throw new IllegalArgumentException(op.name() + " " + op + ": " + role + " needs " + bytes
                    + " bytes, the buffer has " + b.bytes());
        }
        if (!b.dnnlArena().isOpen()) {
            throw new IllegalStateException(op.name() + " " + op + ": " + role + " belongs to a closed arena");
        }
        return b;
    }

    @Override public void close() {
        if (!open) return;
        open = false;
        backend.forget(this);
        resources.releaseAll();
    }

    @Override public String toString() { return "cpu kernel " + op.name() + " " + op + " on " + inputs; }
}
