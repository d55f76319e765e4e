package dev.convkit.backend.dnnl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.Kernel;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Conv2dBwdData;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.ops.Op;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import dev.convkit.testing.RandomTensors;
import dev.convkit.testing.ReferenceOps;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * f32 3x3 convolutions by Winograd F(4x4, 3x3) ({@link DnnlConvWinograd}), forward and both gradients: which
 * geometries take it, and its values against the float64 reference, with inputs canonical and in the engine layout.
 *
 * <p>Tolerance. Each output is a sum of hundreds to thousands of products of inputs in [-1, 1], of scale rms(expected)
 * ≈ 1.5 to 12 here. The direct f32 sum errs by about 10⁻⁶·rms (the convolution primitive's cases below: 0.6 to
 * 2.1·10⁻⁶). The transforms round intermediate values up to ~100 times an input (coefficients up to 25 in BB, 64 in
 * AA, 1/576 in GG) that cancel in the output, so Winograd's error is larger: measured 1.4 to 4.9·10⁻⁵·rms. The bound
 * is {@code 2⁻¹³·rms} (1.2·10⁻⁴·rms, 2.5 times the largest measured): a wrong tap, tile offset, transform entry,
 * border or bias position is off by O(rms).
 */
class DnnlConvWinogradTest {
    private static final double RELATIVE_TO_RMS = 0x1p-13;
    private static Backend cpu;

    @BeforeAll static void open() { cpu = new DnnlProvider().open(BackendOptions.defaults()); }

    @AfterAll static void close() { if (cpu != null) cpu.close(); }

    /** Geometries [N, C, H, W, O] with whether Winograd takes them. */
    static Stream<Arguments> geometries() {
        Window2d same4 = Window2d.same(4, 4, 3, 3, 1, 1, 1, 1), same8 = Window2d.same(8, 8, 3, 3, 1, 1, 1, 1);
        return Stream.of(
                geometry("4x4, 128 → 128, bias (one tile per image)", same4, 2, 128, 4, 4, 128, true, true),
                geometry("8x8, 128 → 144, no bias (4 tiles per image, O ≠ C)", same8, 3, 128, 8, 8, 144, false, true),
                geometry("8x12, 160 → 136, bias (a non-square image; 136 channels do not fill 16-channel blocks)", new Window2d(3, 3, 1, 1, 1, 1, 1, 1, 1, 1), 2, 160, 8, 12, 136, true, true),
                geometry("16x16, 64 → 128, bias (VGG16's second block: 42.7 products per transformed channel)", Window2d.same(16, 16, 3, 3, 1, 1, 1, 1), 1, 64, 16, 16, 128, true, true),
                geometry("8x8, 64 → 64: 32 products per transformed channel, the convolution primitive", same8, 2, 64, 8, 8, 64, true, false),
                geometry("8x8, 48 → 128: 34.9 products per transformed channel, the convolution primitive", same8, 2, 48, 8, 8, 128, true, false),
                geometry("6x6, 128 → 128: not a multiple of 4, the convolution primitive", Window2d.same(6, 6, 3, 3, 1, 1, 1, 1), 2, 128, 6, 6, 128, true, false),
                geometry("8x8 stride 2, 128 → 128: the convolution primitive", Window2d.same(8, 8, 3, 3, 2, 2, 1, 1), 2, 128, 8, 8, 128, false, false));
    }

    private static Arguments geometry(String name, Window2d win, int n, int c, int h, int w, int o, boolean bias, boolean winograd) {
        return Arguments.of(name, win, new int[] {n, c, h, w, o}, bias, winograd);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void forwardMatchesReference(String name, Window2d win, int[] d, boolean bias, boolean winograd) {
        List<TensorSpec> specs = new ArrayList<>(List.of(TensorSpec.f32(d[0], d[1], d[2], d[3]), TensorSpec.f32(d[4], d[1], 3, 3)));
        if (bias) specs.add(TensorSpec.f32(d[4]));
        check(name, new Conv2d(win, bias), specs, 1, "winograd V·U", winograd);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void dataGradientMatchesReference(String name, Window2d win, int[] d, boolean bias, boolean winograd) {
        Conv2dBwdData op = new Conv2dBwdData(win, Shape.of(d[0], d[1], d[2], d[3]), 1);
        List<TensorSpec> specs = List.of(TensorSpec.f32(d[0], d[4], win.outH(d[2]), win.outW(d[3])), TensorSpec.f32(d[4], d[1], 3, 3));
        check(name, op, specs, 1, "winograd V·U", winograd);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void weightGradientMatchesReference(String name, Window2d win, int[] d, boolean bias, boolean winograd) {
        Conv2dBwdFilter op = new Conv2dBwdFilter(win, Shape.of(d[4], d[1], 3, 3), bias);
        List<TensorSpec> specs = List.of(TensorSpec.f32(d[0], d[1], d[2], d[3]), TensorSpec.f32(d[0], d[4], win.outH(d[2]), win.outW(d[3])));
        check(name, op, specs, -1, "winograd dMt·V", winograd);
    }

    /**
     * A batch whose temporaries would pass {@link DnnlConvWinograd#MAX_TEMPORARY_BYTES} keeps the convolution
     * primitive: a 256-channel layer at 16x16 needs about 170 MB at batch 64 and 11 GB at 4096 (compiled only; nothing
     * that size is allocated).
     */
    @Test void aLargeBatchKeepsTheConvolutionPrimitive() {
        Window2d win = Window2d.same(16, 16, 3, 3, 1, 1, 1, 1);
        for (int n : new int[] {64, 4096}) {
            List<TensorSpec> specs = List.of(TensorSpec.f32(n, 256, 16, 16), TensorSpec.f32(256, 256, 3, 3));
            try (Kernel k = cpu.compile(new Conv2d(win, false), specs, null)) {
                List<String> calls = ((DnnlKernel) k).primitiveCalls();
                assertEquals(n == 64, calls.contains("winograd V·U"), "batch " + n + ": " + calls);
            }
        }
    }

    /** The transforms' defining identity on one tile, in float64 from the f32 matrices: Aᵀ[(Gg Gᵀ) ⊙ (Bᵀd B)]A = d ⋆ g. */
    @Test void theMatricesComputeOneTile() {
        Random rnd = new Random(7);
        double[] tile = RandomTensors.uniform(rnd, 36, -1, 1), filter = RandomTensors.uniform(rnd, 9, -1, 1);
        double[] v = times(Winograd43.BB, 36, 36, tile), u = times(Winograd43.GG, 36, 9, filter);
        double[] m = new double[36];
        for (int i = 0; i < 36; i++) m[i] = u[i] * v[i];
        double[] y = times(Winograd43.AA, 16, 36, m), direct = new double[16];
        for (int p = 0; p < 4; p++) {
            for (int q = 0; q < 4; q++) {
                for (int t = 0; t < 9; t++) direct[p * 4 + q] += tile[(p + t / 3) * 6 + q + t % 3] * filter[t];
            }
        }
        assertArrayEquals(direct, y, 1e-6);
        double[] flipped = times(Winograd43.GG_FLIPPED, 36, 9, filter), reversed = new double[9];
        for (int t = 0; t < 9; t++) reversed[t] = filter[8 - t];
        assertArrayEquals(times(Winograd43.GG, 36, 9, reversed), flipped, 1e-7);
    }

    private static double[] times(float[] matrix, int rows, int cols, double[] x) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) out[r] += matrix[r * cols + c] * x[c];
        }
        return out;
    }

    /** Runs {@code op} canonical and in the engine layout (weights, input {@code weightsAt}, stay canonical). */
    private static void check(String name, Op op, List<TensorSpec> specs, int weightsAt, String call, boolean winograd) {
        Random rnd = new Random(name.hashCode());
        double[][] inputs = new double[specs.size()][];
        for (int i = 0; i < inputs.length; i++) inputs[i] = RandomTensors.uniform(rnd, (int) specs.get(i).size(), -1, 1);
        double[][] expected = ReferenceOps.run(op, specs, RandomTensors.copy(inputs));
        KernelPaths.runBothLayouts(cpu, name, op, specs, inputs, weightsAt, call, winograd, (where, got) -> {
            for (int j = 0; j < expected.length; j++) {
                double rms = 0, worst = 0;
                for (double e : expected[j]) rms += e * e;
                rms = Math.sqrt(rms / expected[j].length);
                for (int e = 0; e < expected[j].length; e++) worst = Math.max(worst, Math.abs(got[j][e] - expected[j][e]));
                assertTrue(worst <= RELATIVE_TO_RMS * rms, where + " output " + j + ": max error " + worst
                        + " against rms " + rms + " (bound " + RELATIVE_TO_RMS * rms + ")");
            }
        });
    }
}
