package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.HostChecks.narrow;
import static dev.convkit.backend.cuda.KernelGeometry.BLOCK;
import static dev.convkit.backend.cuda.KernelGeometry.elementwiseGrid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.ops.Pool2d;
import dev.convkit.ops.Pool2dBwd;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import dev.convkit.testing.RandomTensors;
import dev.convkit.testing.ReferenceOps;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * pool.cu on the CPU (HostKernels) over random shapes against the float64 reference: odd sizes, strides above and
 * below the window, valid, TF "same" (asymmetric) and explicit padding, and inputs full of ties (values from a set of
 * three) so that "first maximum in row-major order" and "padding never wins" are exercised. Each case runs the max
 * forward with and without its outputs, the max backward from the saved winners, and the average forward and
 * backward; a quarter of the cases use a small grid or block, so the grid-stride loops wrap.
 */
class HostPoolKernelsTest {
    private static final int CASES = 1600;
    private static final int BATCH = 200;

    @BeforeEach
    void needsCompiler() { HostKernels.driver(); }

    @Test
    void poolingKernelsMatchTheReferenceOverRandomShapesAndTies() {
        Random rnd = new Random(20240611);
        HostChecks checks = new HostChecks("pool");
        for (int done = 0; done < CASES; done += BATCH) {
            HostRun run = new HostRun();
            for (int i = 0; i < BATCH; i++) poolCase(rnd, run, checks, "case " + (done + i));
            checks.execute(run);
        }
        System.out.println(checks.summary());
        assertEquals(CASES, checks.cases());
    }

    private static void poolCase(Random rnd, HostRun run, HostChecks checks, String label) {
        int n = 1 + rnd.nextInt(2), c = 1 + rnd.nextInt(3), h = 1 + rnd.nextInt(13), w = 1 + rnd.nextInt(13);
        Window2d win = window(rnd, h, w);
        Shape src = Shape.of(n, c, h, w);
        int oh = win.outH(h), ow = win.outW(w);
        int planes = n * c, outs = planes * oh * ow, ins = planes * h * w;
        double[] x = rnd.nextInt(3) == 0 ? RandomTensors.distinct(rnd, ins) : ties(rnd, ins);
        double[] dy = RandomTensors.uniform(rnd, outs, -1, 1);
        boolean small = rnd.nextInt(4) == 0;
        int block = small ? 32 * (1 + rnd.nextInt(3)) : BLOCK;
        int outGrid = small ? 1 + rnd.nextInt(2) : elementwiseGrid(outs);
        int inGrid = small ? 1 + rnd.nextInt(2) : elementwiseGrid(ins);
        String what = label + " " + src + " " + win;
        checks.newCase();

        List<TensorSpec> fwdSpecs = List.of(TensorSpec.f32(src));
        Shape dst = Shape.of(n, c, oh, ow);
        List<TensorSpec> bwdSpecs = List.of(TensorSpec.f32(src), TensorSpec.f32(dst), TensorSpec.f32(dst));
        double[] maxRef = ReferenceOps.run(new Pool2d(Pool2d.Kind.MAX, win), fwdSpecs, new double[][] {x})[0];
        double[] maxGradRef = ReferenceOps.run(new Pool2dBwd(Pool2d.Kind.MAX, win), bwdSpecs,
                new double[][] {x, maxRef, dy})[0];
        double[] avgRef = ReferenceOps.run(new Pool2d(Pool2d.Kind.AVG, win), fwdSpecs, new double[][] {x})[0];
        double[] avgGradRef = ReferenceOps.run(new Pool2dBwd(Pool2d.Kind.AVG, win), bwdSpecs,
                new double[][] {x, avgRef, dy})[0];

        run.freeAll();
        HostRun.Buf xs = run.floats(narrow(x)), dys = run.floats(narrow(dy));
        HostRun.Buf y = run.nans(outs), winners = run.unsetInts(outs), yOnly = run.nans(outs);
        HostRun.Buf winnersOnly = run.unsetInts(outs), dx = run.nans(ins), avg = run.nans(outs), avgDx = run.nans(ins);
        Object[] shape = {(long) planes, h, w, oh, ow, win.kernelH(), win.kernelW(), win.strideH(), win.strideW(),
                win.padTop(), win.padLeft()};
        run.launch(label, DeviceFunction.MAX_POOL2D_FWD_F32, outGrid, block, args(shape, y, winners, xs));
        run.launch(label, DeviceFunction.MAX_POOL2D_FWD_F32, outGrid, block, args(shape, yOnly, null, xs));
        run.launch(label, DeviceFunction.MAX_POOL2D_FWD_F32, outGrid, block, args(shape, null, winnersOnly, xs));
        run.launch(label, DeviceFunction.MAX_POOL2D_BWD_F32, inGrid, block, args(shape, dx, dys, winners));
        run.launch(label, DeviceFunction.AVG_POOL2D_FWD_F32, outGrid, block, args(shape, avg, xs));
        run.launch(label, DeviceFunction.AVG_POOL2D_BWD_F32, inGrid, block, args(shape, avgDx, dys));

        HostRun.Readback yBack = run.read(y), winnersBack = run.read(winners);
        HostRun.Readback yOnlyBack = run.read(yOnly), winnersOnlyBack = run.read(winnersOnly);
        checks.close("max pool " + what, dst, maxRef, yBack);
        checks.close("max pool (dst only) " + what, dst, maxRef, yOnlyBack);
        checks.close("max pool backward " + what, src, maxGradRef, run.read(dx));
        checks.close("avg pool " + what, dst, avgRef, run.read(avg));
        checks.close("avg pool backward " + what, src, avgGradRef, run.read(avgDx));
        checks.later(() -> {
            float[] values = yBack.floats();
            int[] at = winnersBack.ints();
            assertEquals(Arrays.toString(at), Arrays.toString(winnersOnlyBack.ints()),
                    "winners without dst, " + what);
            for (int o = 0; o < outs; o++) {
                int plane = o / (oh * ow);
                assertTrue(at[o] >= 0 && at[o] < h * w, "winner " + at[o] + " of output " + o + " outside the plane, " + what);
                assertEquals((float) x[plane * h * w + at[o]], values[o], "value at the winner of output " + o + ", " + what);
            }
        });
    }

    /** The launch arguments: the pointers (null ones included), then the shape block. */
    private static Object[] args(Object[] shape, HostRun.Buf... pointers) {
        Object[] out = Arrays.copyOf(pointers, pointers.length + shape.length, Object[].class);
        System.arraycopy(shape, 0, out, pointers.length, shape.length);
        return out;
    }

    /** A window that fits the input: valid, TF "same" or explicit padding below the kernel size. */
    private static Window2d window(Random rnd, int h, int w) {
        for (;;) {
            int kh = 1 + rnd.nextInt(4), kw = 1 + rnd.nextInt(4), sh = 1 + rnd.nextInt(3), sw = 1 + rnd.nextInt(3);
            Window2d win = switch (rnd.nextInt(3)) {
                case 0 -> Window2d.valid(kh, kw, sh, sw, 1, 1);
                case 1 -> Window2d.same(h, w, kh, kw, sh, sw, 1, 1);
                default -> new Window2d(kh, kw, sh, sw, rnd.nextInt(kh), rnd.nextInt(kh), rnd.nextInt(kw), rnd.nextInt(kw),
                        1, 1);
            };
            boolean padBelowKernel = win.padTop() < kh && win.padBottom() < kh && win.padLeft() < kw && win.padRight() < kw;
            if (padBelowKernel && win.outH(h) >= 1 && win.outW(w) >= 1) return win;
        }
    }

    /** Values from {-0.5, 0, 0.5} (negative ones matter: padding must not win a max of negatives as a 0). */
    private static double[] ties(Random rnd, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = 0.5 * (rnd.nextInt(3) - 1);
        return a;
    }
}
