package dev.convkit.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;

import dev.convkit.ops.Op;
import dev.convkit.tensor.TensorSpec;
import java.util.List;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * One prepared launch of one of our kernels: a native argument block built when the kernel is compiled, refilled with
 * buffer addresses and sizes before each {@link #enqueue} and handed to cuLaunchKernel on the engine's stream.
 * Nothing is allocated per launch.
 *
 * <p>cuLaunchKernel takes {@code void** kernelParams}: element i points at the value of parameter i. Each parameter
 * gets an 8-byte slot in {@code values}; {@code table} holds the slot addresses. Setters check the parameter kind
 * against {@link DeviceFunction#signature()}, so a wrongly sized argument fails at compile time, not on the GPU.
 */
final class Launch implements AutoCloseable {
    private static final int SLOT = 8;

    private final CudaBackend backend;
    private final DeviceFunction function;
    private final CUfunc_st handle;
    private final Op op;
    private final List<TensorSpec> specs;
    private final BytePointer values;
    private final LongPointer table;
    private final PointerPointer<?> params;
    private long filled;

    Launch(CudaBackend backend, DeviceFunction function, Op op, List<TensorSpec> specs) {
        this.backend = backend;
        this.function = function;
        this.handle = backend.module().function(function);
        this.op = op;
        this.specs = specs;
        int n = function.parameterCount();
        this.values = new BytePointer((long) n * SLOT);
        this.table = new LongPointer(n);
        for (int i = 0; i < n; i++) table.put(i, values.address() + (long) i * SLOT);
        this.params = new PointerPointer<>(table);
    }

    /** Parameter i is a pointer ({@code P}). */
    Launch pointer(int i, long deviceAddress) {
        values.putLong(slot(i, 'P'), deviceAddress);
        return this;
    }

    /** Parameter i is a {@code long long} ({@code L}). */
    Launch i64(int i, long value) {
        values.putLong(slot(i, 'L'), value);
        return this;
    }

    /** Parameter i is an {@code unsigned long long} ({@code U}), given as the same 64 bits. */
    Launch u64(int i, long bits) {
        values.putLong(slot(i, 'U'), bits);
        return this;
    }

    /** Parameter i is an {@code int} ({@code I}). */
    Launch i32(int i, int value) {
        values.putInt(slot(i, 'I'), value);
        return this;
    }

    /** Parameter i is a {@code float} ({@code F}). */
    Launch f32(int i, float value) {
        values.putFloat(slot(i, 'F'), value);
        return this;
    }

    /** Queues the kernel on the engine's stream with a 1-D grid; every parameter must have been set once. */
    void enqueue(int gridX, int blockX) {
        if (filled != (1L << function.parameterCount()) - 1) {
            throw new IllegalStateException(function.symbol() + ": parameters " + Long.toBinaryString(~filled
                    & ((1L << function.parameterCount()) - 1)) + " (bit mask) were never set");
        }
        int status = cuLaunchKernel(handle, gridX, 1, 1, blockX, 1, 1, 0, backend.stream(), params, null);
        if (status != 0) {  // the message is built only on failure: enqueue runs for every launch of every step
            Check.driver(status, "cuLaunchKernel(" + function.symbol() + ", grid " + gridX + ", block " + blockX + ")", op, specs);
        }
    }

    private long slot(int i, char kind) {
        char declared = function.signature().charAt(i);
        if (declared != kind) {
            throw new IllegalArgumentException(function.symbol() + " parameter " + i + " is declared '" + declared
                    + "' in DeviceFunction but set as '" + kind + "'");
        }
        filled |= 1L << i;
        return (long) i * SLOT;
    }

    @Override public void close() {
        params.setNull();
        table.close();
        values.close();
    }
}
