package dev.convkit.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.ops.BatchNormTrain;
import dev.convkit.ops.Concat;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.DropoutOp;
import dev.convkit.ops.FlattenOp;
import dev.convkit.ops.L2Penalty;
import dev.convkit.ops.Pool2d;
import dev.convkit.ops.Pool2dBwd;
import dev.convkit.ops.SoftmaxCrossEntropy;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reference against small cases worked out by hand from the op javadoc. Finite differences only prove that the
 * reference's forward and backward agree; these pin the forward meaning itself (padding split, dilation, ties,
 * averaging count, feature order, statistics, mask).
 */
class ReferenceSemanticsTest {
    private static final double TIGHT = 1e-12;

    @Test
    void tfSameStride2OnEvenInputPadsOnlyAfter() {
        // x = 1..16 in a 4x4 plane, a 3x3 all-ones kernel, stride 2: total pad 1 → 0 before, 1 after.
        Window2d win = Window2d.same(4, 4, 3, 3, 2, 2, 1, 1);
        assertEquals(new Window2d(3, 3, 2, 2, 0, 1, 0, 1, 1, 1), win);
        double[] x = new double[16];
        for (int i = 0; i < 16; i++) x[i] = i + 1;
        double[] w = new double[9];
        java.util.Arrays.fill(w, 1);
        double[][] y = ReferenceOps.run(new Conv2d(win, false), List.of(TensorSpec.f32(1, 1, 4, 4), TensorSpec.f32(1, 1, 3, 3)),
                new double[][] {x, w});
        // rows 0-2 × cols 0-2 = 54; rows 0-2 × cols 2-3 = 45; rows 2-3 × cols 0-2 = 72; rows 2-3 × cols 2-3 = 54.
        assertArrayEquals(new double[] {54, 45, 72, 54}, y[0], TIGHT);
    }

    @Test
    void dilationSpreadsTheTapsAndBiasIsAdded() {
        // One row 1..5, kernel (1, 10) with dilation 3: out[j] = x[j] + 10·x[j + 3], plus bias 0.5.
        Window2d win = Window2d.valid(1, 2, 1, 1, 1, 3);
        double[][] y = ReferenceOps.run(new Conv2d(win, true),
                List.of(TensorSpec.f32(1, 1, 1, 5), TensorSpec.f32(1, 1, 1, 2), TensorSpec.f32(1)),
                new double[][] {{1, 2, 3, 4, 5}, {1, 10}, {0.5}});
        assertArrayEquals(new double[] {41.5, 52.5}, y[0], TIGHT);
    }

    @Test
    void groupedConvolutionReadsOnlyItsGroupsChannels() {
        // src channels 1x1 planes {1, 2, 3, 4}; 2 groups, 4 outputs, 1x1 weights [4, 2]: out 0 and 1 read channels 0-1,
        // out 2 and 3 read channels 2-3.
        double[][] y = ReferenceOps.run(new Conv2d(Window2d.valid(1, 1, 1, 1, 1, 1), false, 2),
                List.of(TensorSpec.f32(1, 4, 1, 1), TensorSpec.f32(4, 2, 1, 1)),
                new double[][] {{1, 2, 3, 4}, {1, 10, 100, 1000, 1, -1, 2, 0.5}});
        assertArrayEquals(new double[] {21, 2100, -1, 8}, y[0], TIGHT);
        // Depthwise with multiplier 2 (groups = C = 2, O = 4): out 2c and 2c+1 scale channel c.
        double[][] dw = ReferenceOps.run(new Conv2d(Window2d.valid(1, 1, 1, 1, 1, 1), false, 2),
                List.of(TensorSpec.f32(1, 2, 1, 1), TensorSpec.f32(4, 1, 1, 1)),
                new double[][] {{3, 5}, {1, 2, 3, 4}});
        assertArrayEquals(new double[] {3, 6, 15, 20}, dw[0], TIGHT);
    }

    @Test
    void maxPoolGradientGoesToTheFirstMaximumAndPaddingNeverWins() {
        Window2d k2 = Window2d.valid(2, 2, 2, 2, 1, 1);
        TensorSpec plane = TensorSpec.f32(1, 1, 2, 2);
        double[] ties = {3, 3, 3, 3};
        double[][] dx = ReferenceOps.run(new Pool2dBwd(Pool2d.Kind.MAX, k2), List.of(plane, TensorSpec.f32(1, 1, 1, 1),
                TensorSpec.f32(1, 1, 1, 1)), new double[][] {ties, {3}, {2}});
        assertArrayEquals(new double[] {2, 0, 0, 0}, dx[0], TIGHT, "a tie goes to the first element in row-major order");

        Window2d same3 = Window2d.same(2, 2, 3, 3, 1, 1, 1, 1);
        double[][] y = ReferenceOps.run(new Pool2d(Pool2d.Kind.MAX, same3), List.of(plane), new double[][] {{-5, -6, -7, -8}});
        assertArrayEquals(new double[] {-5, -5, -5, -5}, y[0], TIGHT, "zero padding must not beat negative values");
    }

    @Test
    void averagePoolDividesByInBoundsCount() {
        // 2x2 window, stride 1, TF-same on 2x2: pads 0 before, 1 after; windows hold 4, 2, 2 and 1 real elements.
        Window2d win = Window2d.same(2, 2, 2, 2, 1, 1, 1, 1);
        double[][] y = ReferenceOps.run(new Pool2d(Pool2d.Kind.AVG, win), List.of(TensorSpec.f32(1, 1, 2, 2)),
                new double[][] {{1, 2, 3, 4}});
        assertArrayEquals(new double[] {2.5, 3, 3.5, 4}, y[0], TIGHT);
    }

    @Test
    void flattenUsesNhwcFeatureOrder() {
        // NCHW [1, 2, 1, 2]: channel 0 = (1, 2), channel 1 = (3, 4) → features (w0c0, w0c1, w1c0, w1c1).
        double[][] y = ReferenceOps.run(new FlattenOp(), List.of(TensorSpec.f32(1, 2, 1, 2)), new double[][] {{1, 2, 3, 4}});
        assertArrayEquals(new double[] {1, 3, 2, 4}, y[0], 0);
    }

    @Test
    void concatStacksChannelsPerBatchElement() {
        double[][] y = ReferenceOps.run(new Concat(2), List.of(TensorSpec.f32(2, 1), TensorSpec.f32(2, 2)),
                new double[][] {{1, 2}, {10, 11, 20, 21}});
        assertArrayEquals(new double[] {1, 10, 11, 2, 20, 21}, y[0], 0);
    }

    @Test
    void batchNormUsesBiasedVarianceAndUpdatesRunningStatsWithUnbiasedVariance() {
        // One channel, x = 1..4: mean 2.5, biased var 1.25, unbiased var 5/3.
        double eps = (float) 1e-3;
        double[] runningMean = {1}, runningVar = {2};
        double[][] out = ReferenceOps.run(new BatchNormTrain(1e-3f, 0.75f),
                List.of(TensorSpec.f32(4, 1), TensorSpec.f32(1), TensorSpec.f32(1), TensorSpec.f32(1), TensorSpec.f32(1)),
                new double[][] {{1, 2, 3, 4}, {2}, {0.5}, runningMean, runningVar});
        double inv = 1 / Math.sqrt(1.25 + eps);
        assertArrayEquals(new double[] {2 * -1.5 * inv + 0.5, 2 * -0.5 * inv + 0.5, 2 * 0.5 * inv + 0.5, 2 * 1.5 * inv + 0.5},
                out[0], TIGHT);
        assertArrayEquals(new double[] {2.5}, out[1], TIGHT);
        assertArrayEquals(new double[] {1.25}, out[2], TIGHT);
        assertArrayEquals(new double[] {0.75 * 1 + 0.25 * 2.5}, runningMean, TIGHT);
        assertArrayEquals(new double[] {0.75 * 2 + 0.25 * 5.0 / 3}, runningVar, TIGHT);
    }

    @Test
    void dropoutMaskFollowsTheKeepRuleAndChangesWithTheCounter() {
        int n = 20_000;
        DropoutOp op = new DropoutOp(0.3f, 99L);
        double[] x = new double[n];
        java.util.Arrays.fill(x, 2);
        List<TensorSpec> specs = List.of(TensorSpec.f32(n), TensorSpec.f32(1));
        double[][] a = ReferenceOps.run(op, specs, new double[][] {x, {5}});
        double[][] b = ReferenceOps.run(op, specs, new double[][] {x, {6}});
        double kept = 1f / (1f - 0.3f);   // the mask value is defined in f32
        int keptCount = 0, differ = 0;
        for (int i = 0; i < n; i++) {
            double expectedMask = DropoutOp.keep(99L, 5, i, 0.3f) ? kept : 0;
            assertEquals(expectedMask, a[1][i], 0, "mask[" + i + "]");
            assertEquals(2 * expectedMask, a[0][i], TIGHT, "dst[" + i + "]");
            if (a[1][i] != 0) keptCount++;
            if (a[1][i] != b[1][i]) differ++;
        }
        assertEquals(0.7, keptCount / (double) n, 0.02, "kept fraction");
        assertTrue(differ > n / 5, "the mask must change with the step counter, " + differ + " of " + n + " changed");
    }

    @Test
    void crossEntropyOfUniformLogitsIsLogK() {
        double[] logits = new double[2 * 4];
        double[][] sparse = ReferenceOps.run(new SoftmaxCrossEntropy(true), List.of(TensorSpec.f32(2, 4), TensorSpec.f32(2)),
                new double[][] {logits, {3, 0}});
        assertEquals(Math.log(4), sparse[0][0], TIGHT);
        assertArrayEquals(new double[] {.25, .25, .25, .25, .25, .25, .25, .25}, sparse[1], TIGHT);
        // Logits (0, ln 3) → p = (1/4, 3/4); with the one-hot row (0, 1) the loss of this batch of 1 is −ln(3/4).
        double[][] dense = ReferenceOps.run(new SoftmaxCrossEntropy(false), List.of(TensorSpec.f32(1, 2), TensorSpec.f32(1, 2)),
                new double[][] {{0, Math.log(3)}, {0, 1}});
        assertEquals(-Math.log(0.75), dense[0][0], TIGHT);
        assertArrayEquals(new double[] {0.25, 0.75}, dense[1], TIGHT);
    }

    @Test
    void sparseLabelOutsideTheClassesIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReferenceOps.run(
                new SoftmaxCrossEntropy(true), List.of(TensorSpec.f32(1, 3), TensorSpec.f32(1)), new double[][] {{0, 0, 0}, {3}}));
        assertTrue(e.getMessage().contains("[0, 3)"), e.getMessage());
    }

    @Test
    void l2PenaltyIsLambdaTimesSumOfSquares() {
        double[][] y = ReferenceOps.run(new L2Penalty(0.5f), List.of(TensorSpec.f32(2)), new double[][] {{1, -2}});
        assertArrayEquals(new double[] {2.5}, y[0], TIGHT);
    }
}
