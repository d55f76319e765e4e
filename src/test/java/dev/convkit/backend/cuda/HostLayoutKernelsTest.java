package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.HostChecks.narrow;
import static dev.convkit.backend.cuda.KernelGeometry.BLOCK;
import static dev.convkit.backend.cuda.KernelGeometry.elementwiseGrid;

import dev.convkit.ops.Concat;
import dev.convkit.ops.Crop2d;
import dev.convkit.ops.FlattenOp;
import dev.convkit.ops.SplitOp;
import dev.convkit.ops.Unflatten;
import dev.convkit.ops.ZeroPad2d;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import dev.convkit.testing.RandomTensors;
import dev.convkit.testing.ReferenceOps;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * layout.cu on the CPU (HostKernels) against the float64 reference: ZeroPad2d / Crop2d with asymmetric amounts,
 * Concat / Split along channels of 4-D and 2-D tensors launched part by part as CudaLayout does, and Keras Flatten /
 * Unflatten. Shapes are random and odd; a quarter of the cases use a small grid so the grid-stride loops wrap.
 */
class HostLayoutKernelsTest {
    private static final int CASES = 400;

    @BeforeEach
    void needsCompiler() { HostKernels.driver(); }

    @Test
    void layoutKernelsMatchTheReference() {
        Random rnd = new Random(11);
        HostChecks checks = new HostChecks("layout");
        HostRun run = new HostRun();
        for (int i = 0; i < CASES; i++) {
            run.freeAll();
            checks.newCase();
            String label = "case " + i;
            boolean small = rnd.nextInt(4) == 0;
            int n = 1 + rnd.nextInt(3), c = 1 + rnd.nextInt(5), h = 1 + rnd.nextInt(9), w = 1 + rnd.nextInt(9);
            Shape src = Shape.of(n, c, h, w);
            double[] x = RandomTensors.uniform(rnd, (int) src.size(), -1, 1);
            HostRun.Buf xs = run.floats(narrow(x));

            int top = rnd.nextInt(3), bottom = rnd.nextInt(3), left = rnd.nextInt(3), right = rnd.nextInt(3);
            Shape padded = Shape.of(n, c, h + top + bottom, w + left + right);
            HostRun.Buf pad = run.nans((int) padded.size());
            run.launch(label, DeviceFunction.PAD2D_F32, grid(rnd, small, padded.size()), BLOCK, pad, xs, (long) n * c, h, w,
                    padded.dim(2), padded.dim(3), top, left);
            checks.close("zero pad " + label, padded, ReferenceOps.run(new ZeroPad2d(top, bottom, left, right),
                    List.of(TensorSpec.f32(src)), new double[][] {x})[0], run.read(pad));

            int ct = rnd.nextInt(h), cb = rnd.nextInt(h - ct), cl = rnd.nextInt(w), cr = rnd.nextInt(w - cl);
            Shape cropped = Shape.of(n, c, h - ct - cb, w - cl - cr);
            HostRun.Buf crop = run.nans((int) cropped.size());
            run.launch(label, DeviceFunction.CROP2D_F32, grid(rnd, small, cropped.size()), BLOCK, crop, xs, (long) n * c, h,
                    w, cropped.dim(2), cropped.dim(3), ct, cl);
            checks.close("crop " + label, cropped, ReferenceOps.run(new Crop2d(ct, cb, cl, cr),
                    List.of(TensorSpec.f32(src)), new double[][] {x})[0], run.read(crop));

            Shape flat = Shape.of(n, c * h * w);
            HostRun.Buf flatOut = run.nans((int) flat.size());
            run.launch(label, DeviceFunction.NCHW_TO_NHWC_F32, grid(rnd, small, src.size()), BLOCK, flatOut, xs, (long) n, c,
                    (long) h * w);
            checks.close("flatten " + label, flat, ReferenceOps.run(new FlattenOp(), List.of(TensorSpec.f32(src)),
                    new double[][] {x})[0], run.read(flatOut));
            HostRun.Buf unflatOut = run.nans((int) src.size());
            run.launch(label, DeviceFunction.NHWC_TO_NCHW_F32, grid(rnd, small, src.size()), BLOCK, unflatOut, xs, (long) n,
                    c, (long) h * w);
            checks.close("unflatten " + label, src, ReferenceOps.run(new Unflatten(src), List.of(TensorSpec.f32(flat)),
                    new double[][] {x})[0], run.read(unflatOut));

            channelCopies(rnd, run, checks, label, small);
        }
        checks.execute(run);
        System.out.println(checks.summary());
    }

    /** Concat of 2 to 4 parts, then SplitOp of the result back into random sizes, one copy_channels launch per part. */
    private static void channelCopies(Random rnd, HostRun run, HostChecks checks, String label, boolean small) {
        boolean fourD = rnd.nextBoolean();
        int n = 1 + rnd.nextInt(3), h = fourD ? 1 + rnd.nextInt(6) : 1, w = fourD ? 1 + rnd.nextInt(6) : 1;
        int parts = 2 + rnd.nextInt(3), total = 0;
        List<TensorSpec> specs = new ArrayList<>();
        double[][] xs = new double[parts][];
        List<HostRun.Buf> bufs = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            int c = 1 + rnd.nextInt(4);
            total += c;
            specs.add(fourD ? TensorSpec.f32(n, c, h, w) : TensorSpec.f32(n, c));
            xs[p] = RandomTensors.uniform(rnd, (int) specs.get(p).size(), -1, 1);
            bufs.add(run.floats(narrow(xs[p])));
        }
        TensorSpec whole = fourD ? TensorSpec.f32(n, total, h, w) : TensorSpec.f32(n, total);
        long spatial = (long) h * w;
        HostRun.Buf joined = run.nans((int) whole.size());
        int offset = 0;
        for (int p = 0; p < parts; p++) {
            int c = specs.get(p).dim(1);
            run.launch(label, DeviceFunction.COPY_CHANNELS_F32, grid(rnd, small, specs.get(p).size()), BLOCK, joined,
                    bufs.get(p), (long) n, spatial, c, total, offset, c, 0);
            offset += c;
        }
        double[] concat = ReferenceOps.run(new Concat(parts), specs, xs)[0];
        checks.close("concat " + label, whole.shape(), concat, run.read(joined));

        List<Integer> sizes = new ArrayList<>();
        for (int left = total; left > 0; ) {
            int s = 1 + rnd.nextInt(left);
            sizes.add(s);
            left -= s;
        }
        int[] split = sizes.stream().mapToInt(Integer::intValue).toArray();
        double[][] expected = ReferenceOps.run(new SplitOp(split), List.of(whole), new double[][] {concat});
        offset = 0;
        for (int p = 0; p < split.length; p++) {
            Shape part = fourD ? Shape.of(n, split[p], h, w) : Shape.of(n, split[p]);
            HostRun.Buf out = run.nans((int) part.size());
            run.launch(label, DeviceFunction.COPY_CHANNELS_F32, grid(rnd, small, part.size()), BLOCK, out, joined, (long) n,
                    spatial, split[p], split[p], 0, total, offset);
            offset += split[p];
            checks.close("split part " + p + " " + label, part, expected[p], run.read(out));
        }
    }

    private static int grid(Random rnd, boolean small, long n) { return small ? 1 + rnd.nextInt(2) : elementwiseGrid(n); }
}
