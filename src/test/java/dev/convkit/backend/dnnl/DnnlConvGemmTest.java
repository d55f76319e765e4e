package dev.convkit.backend.dnnl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.Kernel;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import dev.convkit.testing.Bf16;
import dev.convkit.testing.Closeness;
import dev.convkit.testing.Closeness.Tolerance;
import dev.convkit.testing.EngineHarness;
import dev.convkit.testing.RandomTensors;
import dev.convkit.testing.ReferenceOps;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bf16 convolution weight gradient on small images as im2col + matmul ({@link DnnlConvGemm}): which geometries
 * take it (and which stay on oneDNN's convolution), and its values against the float64 reference, in canonical and
 * engine-layout inputs.
 *
 * <p>Tolerance: the sources are exact bf16 values, so every product is exact in f32 and only f32 accumulation over
 * the P = N·OH·OW ≤ 48 terms of magnitude ≤ 1 remains: at most 48·48·2⁻²⁴ ≈ 1.4·10⁻⁴ in the worst case, about 10⁻⁶
 * in practice. That is far below the bf16 conformance tolerance (2⁻⁷·√48 ≈ 0.05): a wrong tap, offset or padding is
 * off by O(1), and a gradient rounded to bf16 on the way (2⁻⁹ of values up to ~5) by about 10⁻².
 */
class DnnlConvGemmTest {
    private static final Tolerance F32_SUMS = new Tolerance(1.5e-4, 0);
    private static Backend cpu;

    @BeforeAll static void open() { cpu = new DnnlProvider().open(BackendOptions.defaults()); }

    @AfterAll static void close() { if (cpu != null) cpu.close(); }

    static Stream<Arguments> geometries() {
        return Stream.of(
                geometry("3x3 TF-same on 2x2 (VGG16's last block), bias", Window2d.same(2, 2, 3, 3, 1, 1, 1, 1), 4, 32, 2, 2, 24, true, true),
                geometry("3x3 TF-same on 4x4, no bias", Window2d.same(4, 4, 3, 3, 1, 1, 1, 1), 3, 16, 4, 4, 40, false, true),
                geometry("3x3 TF-same on 1x1 (only the centre tap sees the image)", Window2d.same(1, 1, 3, 3, 1, 1, 1, 1), 5, 8, 1, 1, 8, true, true),
                geometry("3x3 s2 TF-same 8x8 to 4x4 (pads 0/1)", Window2d.same(8, 8, 3, 3, 2, 2, 1, 1), 2, 12, 8, 8, 20, true, true),
                geometry("3x3 dilation 2 valid 7x7 to 3x3 (no padding)", Window2d.valid(3, 3, 1, 1, 2, 2), 3, 10, 7, 7, 6, false, true),
                geometry("5x3 stride 1x2 pads 2/1/0/2 on 4x6", new Window2d(5, 3, 1, 2, 2, 1, 0, 2, 1, 1), 2, 6, 4, 6, 5, true, true),
                geometry("1x1 s2 on 5x5: a window oneDNN cannot describe, the convolution primitive", Window2d.valid(1, 1, 2, 2, 1, 1), 3, 12, 5, 5, 7, false, false),
                geometry("3x3 TF-same on 8x8 (64 output pixels): the convolution primitive", Window2d.same(8, 8, 3, 3, 1, 1, 1, 1), 2, 16, 8, 8, 16, true, false));
    }

    private static Arguments geometry(String name, Window2d win, int n, int c, int h, int w, int o, boolean bias, boolean gemm) {
        return Arguments.of(name, win, new int[] {n, c, h, w, o}, bias, gemm);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void weightGradientMatchesReference(String name, Window2d win, int[] dims, boolean bias, boolean gemm) {
        String noBf16 = cpu.unsupportedType(DType.BF16);
        assumeTrue(noBf16 == null, () -> "the cpu engine does not run bf16 here: " + noBf16);
        int n = dims[0], c = dims[1], h = dims[2], w = dims[3], o = dims[4];
        Conv2dBwdFilter op = new Conv2dBwdFilter(win, Shape.of(o, c, win.kernelH(), win.kernelW()), bias);
        List<TensorSpec> specs = List.of(TensorSpec.of(DType.BF16, n, c, h, w),
                TensorSpec.of(DType.BF16, n, o, win.outH(h), win.outW(w)));
        Random rnd = new Random(name.hashCode());
        double[][] inputs = new double[2][];
        for (int i = 0; i < 2; i++) inputs[i] = Bf16.round(RandomTensors.uniform(rnd, (int) specs.get(i).size(), -1, 1));
        double[][] expected = ReferenceOps.run(op, specs, RandomTensors.copy(inputs));
        for (boolean engineLayout : new boolean[] {false, true}) {
            List<TensorSpec> compiled = engineLayout
                    ? specs.stream().map(s -> new TensorSpec(s.shape(), s.dtype(), Layout.ENGINE)).toList() : specs;
            try (Kernel k = cpu.compile(op, compiled, null)) {
                boolean tookGemm = ((DnnlKernel) k).primitiveCalls().contains("matmul dyT·col");
                assertEquals(gemm, tookGemm, name + (engineLayout ? " (engine layout)" : "") + ": calls "
                        + ((DnnlKernel) k).primitiveCalls());
            }
            double[][] got = new EngineHarness(cpu, engineLayout).run(op, specs, inputs).outputs();
            for (int j = 0; j < expected.length; j++) {
                Closeness.assertClose(name + " output " + j + (engineLayout ? " (engine layout)" : ""),
                        op.outputs(specs).get(j).shape(), expected[j], got[j], F32_SUMS);
            }
        }
    }
}
