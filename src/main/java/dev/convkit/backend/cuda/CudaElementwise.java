package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.KernelGeometry.BLOCK;
import static dev.convkit.backend.cuda.KernelGeometry.elementwiseGrid;

import dev.convkit.ops.AddOp;
import dev.convkit.ops.Mul;
import dev.convkit.ops.Scale;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/** Add, Mul and Scale with our element-wise kernels (native/kernels/elementwise.cu). */
final class CudaElementwise {
    private CudaElementwise() {}

    static CudaKernel add(CudaBackend b, AddOp op, List<TensorSpec> in) { return new Sum(b, op, in); }

    static CudaKernel mul(CudaBackend b, Mul op, List<TensorSpec> in) {
        long n = in.get(0).size();  // mul_f32(dst, a, b, n)
        return new OneLaunch(b, op, in, DeviceFunction.MUL_F32, elementwiseGrid(n), l -> l.i64(3, n));
    }

    static CudaKernel scale(CudaBackend b, Scale op, List<TensorSpec> in) {
        long n = in.get(0).size();  // scale_f32(dst, src, alpha, n)
        return new OneLaunch(b, op, in, DeviceFunction.SCALE_F32, elementwiseGrid(n), l -> l.f32(2, op.alpha()).i64(3, n));
    }

    /**
     * Add of any arity: sum_f32 adds up to 8 tensors per launch, left to right; each further launch adds up to 7 more
     * to the running sum in dst (dst as its first source, element by element, so in place is safe).
     */
    private static final class Sum extends CudaKernel {
        private static final int PER_LAUNCH = 8;
        private final List<Launch> launches = new ArrayList<>();
        private final List<int[]> sources = new ArrayList<>();
        private final int grid;

        Sum(CudaBackend backend, AddOp op, List<TensorSpec> inputs) {
            super(backend, op, inputs);
            long n = inputs.get(0).size();
            grid = elementwiseGrid(n);
            int next = 0;
            while (next < inputs.size()) {
                boolean first = next == 0;
                int take = Math.min(inputs.size() - next, first ? PER_LAUNCH : PER_LAUNCH - 1);
                int[] src = new int[take];
                for (int i = 0; i < take; i++) src[i] = next + i;
                next += take;
                Launch l = launch(DeviceFunction.SUM_F32).i64(1, n).i32(2, take + (first ? 0 : 1));
                for (int slot = 3; slot < 3 + PER_LAUNCH; slot++) l.pointer(slot, 0);  // unused sources stay null
                launches.add(l);
                sources.add(src);
            }
        }

        @Override protected void execute() {
            for (int j = 0; j < launches.size(); j++) {
                Launch l = launches.get(j).pointer(0, out[0]);
                int slot = 3;
                if (j > 0) l.pointer(slot++, out[0]);
                for (int i : sources.get(j)) l.pointer(slot++, in[i]);
                l.enqueue(grid, BLOCK);
            }
        }
    }
}
