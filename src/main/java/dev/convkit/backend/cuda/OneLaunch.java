package dev.convkit.backend.cuda;

import dev.convkit.ops.Op;
import dev.convkit.tensor.TensorSpec;
import java.util.List;
import java.util.function.Consumer;

/**
 * A kernel that is exactly one launch of one of our functions whose parameters start with the op's outputs, then its
 * inputs, in op order (e.g. {@code mul_f32(dst, a, b, n)}, {@code adam_update_f32(param, grad, m, v, hyper, ...)}),
 * followed by constants fixed at compile time.
 */
final class OneLaunch extends CudaKernel {
    private final Launch launch;
    private final int grid;
    private final int block;

    OneLaunch(CudaBackend backend, Op op, List<TensorSpec> inputs, DeviceFunction function, int grid,
              Consumer<Launch> constants) {
        this(backend, op, inputs, function, grid, KernelGeometry.BLOCK, constants);
    }

    OneLaunch(CudaBackend backend, Op op, List<TensorSpec> inputs, DeviceFunction function, int grid, int block,
              Consumer<Launch> constants) {
        super(backend, op, inputs);
        this.launch = launch(function);
        this.grid = grid;
        this.block = block;
        constants.accept(launch);
    }

    @Override protected void execute() {
        int p = 0;
        for (long address : out) launch.pointer(p++, address);
        for (long address : in) launch.pointer(p++, address);
        launch.enqueue(grid, block);
    }
}
