package dev.convkit.backend.dnnl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.Kernel;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Conv2dBwdData;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.ops.Op;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import dev.convkit.testing.Bf16;
import dev.convkit.testing.Closeness;
import dev.convkit.testing.Closeness.Tolerance;
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
 * The bf16 convolution on small images as matmul ({@link DnnlConvGemm}), forward and both gradients: which
 * geometries take it (and which stay on oneDNN's convolution), and its values against the float64 reference, in
 * canonical and engine-layout inputs.
 *
 * <p>Tolerances. Every input is an exact bf16 value (the f32 weights and bias too), so every product is exact in f32
 * and the conversions are exact. Weight gradient (f32): only f32 accumulation over P = N·OH·OW ≤ 48 terms of
 * magnitude ≤ 1 remains, at most 48·48·2⁻²⁴ ≈ 1.4·10⁻⁴, about 10⁻⁶ in practice; far below the bf16 conformance
 * tolerance (2⁻⁷·√48 ≈ 0.05): a wrong tap, offset or padding is off by O(1), a gradient rounded to bf16 on the way
 * (2⁻⁹ of values up to ~5) by about 10⁻². Forward and data gradient (bf16 outputs): the output's own rounding,
 * 2⁻⁹·|y|, plus the same accumulation error over at most C·KH·KW ≤ 360 terms (≤ 10⁻⁵ in practice), so
 * 2⁻⁸·|y| + 10⁻⁴ (the data gradient is summed over taps in f32 and rounded once).
 */
class DnnlConvGemmTest {
    /** f32 first: without bf16 on the CPU, the bf16 half of each case is skipped after f32 has run. */
    private static final List<DType> TYPES = List.of(DType.F32, DType.BF16);
    private static final Tolerance F32_SUMS = new Tolerance(1.5e-4, 0);
    private static final Tolerance BF16_OUTPUT = new Tolerance(1e-4, 0x1p-8);
    private static Backend cpu;

    @BeforeAll static void open() { cpu = new DnnlProvider().open(BackendOptions.defaults()); }

    @AfterAll static void close() { if (cpu != null) cpu.close(); }

    /** Geometries with whether the matmul form takes them in bf16 (up to 4x4 outputs) and in f32 (up to 2x2). */
    static Stream<Arguments> geometries() {
        return Stream.of(
                geometry("3x3 TF-same on 2x2 (VGG16's last block), bias", Window2d.same(2, 2, 3, 3, 1, 1, 1, 1), 4, 32, 2, 2, 24, true, true, true),
                geometry("3x3 TF-same on 4x4, no bias", Window2d.same(4, 4, 3, 3, 1, 1, 1, 1), 3, 16, 4, 4, 40, false, true, false),
                geometry("3x3 TF-same on 1x1 (only the centre tap sees the image)", Window2d.same(1, 1, 3, 3, 1, 1, 1, 1), 5, 8, 1, 1, 8, true, true, true),
                geometry("3x3 s2 TF-same 8x8 to 4x4 (pads 0/1)", Window2d.same(8, 8, 3, 3, 2, 2, 1, 1), 2, 12, 8, 8, 20, true, true, false),
                geometry("3x3 s2 TF-same 4x4 to 2x2 (pads 0/1)", Window2d.same(4, 4, 3, 3, 2, 2, 1, 1), 3, 10, 4, 4, 12, false, true, true),
                geometry("3x3 dilation 2 valid 7x7 to 3x3 (no padding)", Window2d.valid(3, 3, 1, 1, 2, 2), 3, 10, 7, 7, 6, false, true, false),
                geometry("5x3 stride 1x2 pads 2/1/0/2 on 4x6", new Window2d(5, 3, 1, 2, 2, 1, 0, 2, 1, 1), 2, 6, 4, 6, 5, true, true, false),
                geometry("1x1 s2 on 5x5: a window oneDNN cannot describe, the convolution primitive", Window2d.valid(1, 1, 2, 2, 1, 1), 3, 12, 5, 5, 7, false, false, false),
                geometry("3x3 TF-same on 8x8 (64 output pixels): the convolution primitive", Window2d.same(8, 8, 3, 3, 1, 1, 1, 1), 2, 16, 8, 8, 16, true, false, false));
    }

    private static Arguments geometry(String name, Window2d win, int n, int c, int h, int w, int o, boolean bias,
                                      boolean gemmBf16, boolean gemmF32) {
        return Arguments.of(name, win, new int[] {n, c, h, w, o}, bias, new boolean[] {gemmBf16, gemmF32});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void forwardMatchesReference(String name, Window2d win, int[] dims, boolean bias, boolean[] gemm) {
        int n = dims[0], c = dims[1], h = dims[2], w = dims[3], o = dims[4];
        for (DType t : TYPES) {
            List<TensorSpec> specs = new ArrayList<>(List.of(TensorSpec.of(t, n, c, h, w),
                    TensorSpec.f32(o, c, win.kernelH(), win.kernelW())));
            if (bias) specs.add(TensorSpec.f32(o));
            check(name, t, new Conv2d(win, bias), specs, 1, "matmul col·wT", gemm, t == DType.BF16 ? BF16_OUTPUT : F32_SUMS);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void dataGradientMatchesReference(String name, Window2d win, int[] dims, boolean bias, boolean[] gemm) {
        int n = dims[0], c = dims[1], h = dims[2], w = dims[3], o = dims[4];
        Conv2dBwdData op = new Conv2dBwdData(win, Shape.of(n, c, h, w), 1);
        for (DType t : TYPES) {
            List<TensorSpec> specs = List.of(TensorSpec.of(t, n, o, win.outH(h), win.outW(w)),
                    TensorSpec.f32(o, c, win.kernelH(), win.kernelW()));
            check(name, t, op, specs, 1, "matmul dy·w", gemm, t == DType.BF16 ? BF16_OUTPUT : F32_SUMS);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void weightGradientMatchesReference(String name, Window2d win, int[] dims, boolean bias, boolean[] gemm) {
        int n = dims[0], c = dims[1], h = dims[2], w = dims[3], o = dims[4];
        Conv2dBwdFilter op = new Conv2dBwdFilter(win, Shape.of(o, c, win.kernelH(), win.kernelW()), bias);
        for (DType t : TYPES) {
            List<TensorSpec> specs = List.of(TensorSpec.of(t, n, c, h, w), TensorSpec.of(t, n, o, win.outH(h), win.outW(w)));
            check(name, t, op, specs, -1, "matmul dyT·col", gemm, F32_SUMS);
        }
    }

    /**
     * A batch whose dcol would pass {@link DnnlConvGemm#MAX_TEMPORARY_BYTES} stays on the convolution primitive: the
     * f32 data gradient of a 512-channel 3x3 layer at 2x2 needs N·4·4608 floats, 4.7 MB at batch 64 and 151 MB at
     * 2048 (compiled only; nothing that size is allocated).
     */
    @Test void aLargeBatchKeepsTheConvolutionPrimitive() {
        Window2d win = Window2d.same(2, 2, 3, 3, 1, 1, 1, 1);
        for (int n : new int[] {64, 2048}) {
            Conv2dBwdData op = new Conv2dBwdData(win, Shape.of(n, 512, 2, 2), 1);
            List<TensorSpec> specs = List.of(TensorSpec.f32(n, 512, 2, 2), TensorSpec.f32(512, 512, 3, 3));
            try (Kernel k = cpu.compile(op, specs, null)) {
                List<String> calls = ((DnnlKernel) k).primitiveCalls();
                assertEquals(n == 64, calls.contains("matmul dy·w"), "batch " + n + ": " + calls);
            }
        }
    }

    /**
     * Runs {@code op} with activations of type t on bf16-exact inputs, canonical and in the engine layout (the weights,
     * input {@code weightsAt}, stay canonical as in programs): the path taken ({@code call} present as {@code gemm}
     * says for t) and the values. Without bf16 on this CPU only f32 runs, and the bf16 half is skipped with the reason.
     */
    private static void check(String name, DType t, Op op, List<TensorSpec> specs, int weightsAt, String call, boolean[] gemm,
                              Tolerance tol) {
        String noBf16 = cpu.unsupportedType(DType.BF16);
        if (t == DType.BF16) assumeTrue(noBf16 == null, () -> "f32 passed; the cpu engine does not run bf16 here: " + noBf16);
        boolean expectGemm = gemm[t == DType.BF16 ? 0 : 1];
        name = name + " [" + t.lower() + "]";
        Random rnd = new Random(name.hashCode());
        double[][] inputs = new double[specs.size()][];
        for (int i = 0; i < inputs.length; i++) inputs[i] = Bf16.round(RandomTensors.uniform(rnd, (int) specs.get(i).size(), -1, 1));
        double[][] expected = ReferenceOps.run(op, specs, RandomTensors.copy(inputs));
        KernelPaths.runBothLayouts(cpu, name, op, specs, inputs, weightsAt, call, expectGemm, (where, got) -> {
            for (int j = 0; j < expected.length; j++) {
                Closeness.assertClose(where + " output " + j, op.outputs(specs).get(j).shape(), expected[j], got[j], tol);
            }
        });
    }
}
