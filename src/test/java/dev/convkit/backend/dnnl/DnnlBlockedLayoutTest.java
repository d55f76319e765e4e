package dev.convkit.backend.dnnl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convkit.backend.Arena;
import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.Buffer;
import dev.convkit.backend.Kernel;
import dev.convkit.backend.MemoryKind;
import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.ActivationBwd;
import dev.convkit.ops.AddOp;
import dev.convkit.ops.BatchNormBwd;
import dev.convkit.ops.BatchNormInfer;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.ops.Concat;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Conv2dBwdData;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.ops.Crop2d;
import dev.convkit.ops.DropoutOp;
import dev.convkit.ops.FlattenOp;
import dev.convkit.ops.GlobalAvgPool;
import dev.convkit.ops.GlobalAvgPoolBwd;
import dev.convkit.ops.L2PenaltyBwd;
import dev.convkit.ops.Mul;
import dev.convkit.ops.Op;
import dev.convkit.ops.Pool2d;
import dev.convkit.ops.Pool2dBwd;
import dev.convkit.ops.Scale;
import dev.convkit.ops.SplitOp;
import dev.convkit.ops.Unflatten;
import dev.convkit.ops.Window2d;
import dev.convkit.ops.ZeroPad2d;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cpu engine's blocked layout against its canonical twin ({@code engineLayouts = false}), op by op, on channel
 * counts that are not a multiple of the block (12, 24, 36: DenseNet k=12) so every blocked tensor has padded
 * channels. Every buffer starts filled with NaN; then each kernel must (1) write its outputs in the layout the
 * layout policy promises, (2) leave exactly zero in the padded channels of a blocked output (later ops, e.g. a
 * convolution, multiply them by zero weights, and NaN · 0 is NaN) and (3) produce the canonical engine's values.
 */
class DnnlBlockedLayoutTest {
    private static final double TOL = 1e-5;
    private static Backend blocked, canonical;

    @BeforeAll static void open() {
        blocked = new DnnlBackend(BackendOptions.defaults().withDeterministic(true), true);
        canonical = new DnnlBackend(BackendOptions.defaults().withDeterministic(true), false);
    }

    @AfterAll static void close() {
        blocked.close();
        canonical.close();
    }

    /**
     * One op on canonical specs; its 4-D inputs are handed to the blocked engine in the engine layout, except those
     * listed in {@code canonicalInputs} (a kernel may get a mix, e.g. a canonical model input and an activation).
     */
    record Case(Op op, List<TensorSpec> specs, List<Integer> canonicalInputs) {}

    private static Named<Case> of(String name, Op op, TensorSpec... specs) {
        return Named.of(name, new Case(op, List.of(specs), List.of()));
    }

    private static Named<Case> mixed(String name, int canonicalInput, Op op, TensorSpec... specs) {
        return Named.of(name, new Case(op, List.of(specs), List.of(canonicalInput)));
    }

    private static TensorSpec t(int... dims) { return TensorSpec.f32(dims); }

    static Stream<Named<Case>> cases() {
        Window2d same3 = Window2d.same(5, 5, 3, 3, 1, 1, 1, 1), pool2 = Window2d.valid(2, 2, 2, 2, 1, 1);
        Window2d strided = Window2d.same(6, 6, 3, 3, 2, 2, 1, 1);
        return Stream.of(
                of("relu", new ActivationOp(ActivationOp.Kind.RELU), t(2, 12, 5, 5)),
                of("sigmoid (sigmoid(0) = 0.5 must not reach the padding)", new ActivationOp(ActivationOp.Kind.SIGMOID), t(2, 12, 5, 5)),
                of("tanh", new ActivationOp(ActivationOp.Kind.TANH), t(2, 12, 5, 5)),
                of("sigmoid backward", new ActivationBwd(ActivationOp.Kind.SIGMOID), t(2, 12, 5, 5), t(2, 12, 5, 5)),
                of("batch norm training", new BatchNormTrain(1e-3f, 0.9f), t(2, 12, 5, 5), t(12), t(12), t(12), t(12)),
                of("batch norm inference", new BatchNormInfer(1e-3f), t(2, 12, 5, 5), t(12), t(12), t(12), t(12)),
                of("batch norm backward", new BatchNormBwd(1e-3f), t(2, 12, 5, 5), t(2, 12, 5, 5), t(12), t(12), t(12)),
                of("relu on 28 channels (padded in nChw8c and nChw16c)", new ActivationOp(ActivationOp.Kind.RELU), t(2, 28, 3, 3)),
                of("add", new AddOp(3), t(2, 12, 5, 5), t(2, 12, 5, 5), t(2, 12, 5, 5)),
                mixed("add of a canonical and a blocked tensor", 0, new AddOp(2), t(2, 12, 5, 5), t(2, 12, 5, 5)),
                of("mul", new Mul(), t(2, 12, 5, 5), t(2, 12, 5, 5)),
                of("scale", new Scale(-2f), t(2, 12, 5, 5)),
                of("concat 24 + 12 (DenseNet step)", new Concat(2), t(2, 24, 4, 4), t(2, 12, 4, 4)),
                of("concat 12 + 12 + 12", new Concat(3), t(2, 12, 4, 4), t(2, 12, 4, 4), t(2, 12, 4, 4)),
                of("concat 16 + 12 (block-aligned first part)", new Concat(2), t(2, 16, 4, 4), t(2, 12, 4, 4)),
                of("concat 40 + 3 + 29 (several blocks, odd counts)", new Concat(3), t(2, 40, 3, 3), t(2, 3, 3, 3), t(2, 29, 3, 3)),
                mixed("concat of a canonical 24 and a blocked 12", 0, new Concat(2), t(2, 24, 4, 4), t(2, 12, 4, 4)),
                of("split 36 into 24 + 12", new SplitOp(new int[] {24, 12}), t(2, 36, 4, 4)),
                of("split 36 into 12 + 24", new SplitOp(new int[] {12, 24}), t(2, 36, 4, 4)),
                of("split 32 into 16 + 16 (block-aligned)", new SplitOp(new int[] {16, 16}), t(2, 32, 4, 4)),
                of("split 28 into 16 + 12", new SplitOp(new int[] {16, 12}), t(2, 28, 4, 4)),
                of("split 72 into 3 + 40 + 29", new SplitOp(new int[] {3, 40, 29}), t(2, 72, 3, 3)),
                of("max pool", new Pool2d(Pool2d.Kind.MAX, pool2), t(2, 12, 6, 6)),
                of("average pool", new Pool2d(Pool2d.Kind.AVG, same3), t(2, 12, 5, 5)),
                of("max pool backward", new Pool2dBwd(Pool2d.Kind.MAX, pool2), t(2, 12, 6, 6), t(2, 12, 3, 3), t(2, 12, 3, 3)),
                of("global average pool", new GlobalAvgPool(), t(2, 12, 5, 5)),
                of("global average pool backward", new GlobalAvgPoolBwd(Shape.of(2, 12, 5, 5)), t(2, 12)),
                of("global average pool of 32 channels (no padding: [N, C] shares the blocked bytes)", new GlobalAvgPool(), t(3, 32, 4, 4)),
                of("global average pool backward of 32 channels", new GlobalAvgPoolBwd(Shape.of(3, 32, 4, 4)), t(3, 32)),
                of("conv 12 -> 12", new Conv2d(same3, true), t(2, 12, 5, 5), t(12, 12, 3, 3), t(12)),
                of("conv 3 -> 12 from a canonical model input", new Conv2d(same3, false), t(2, 3, 5, 5), t(12, 3, 3, 3)),
                of("conv 12 -> 24 strided", new Conv2d(strided, false), t(2, 12, 6, 6), t(24, 12, 3, 3)),
                of("conv backward data strided", new Conv2dBwdData(strided, Shape.of(2, 12, 6, 6)), t(2, 24, 3, 3), t(24, 12, 3, 3)),
                of("conv backward filter", new Conv2dBwdFilter(same3, Shape.of(12, 12, 3, 3), true), t(2, 12, 5, 5), t(2, 12, 5, 5)),
                of("grouped conv 12 -> 24 in 4 groups", new Conv2d(same3, true, 4), t(2, 12, 5, 5), t(24, 3, 3, 3), t(24)),
                of("depthwise conv of 20 channels (a partial block), multiplier 2, strided", new Conv2d(strided, false, 20),
                        t(2, 20, 6, 6), t(40, 1, 3, 3)),
                of("depthwise conv backward data", new Conv2dBwdData(strided, Shape.of(2, 20, 6, 6), 20), t(2, 40, 3, 3),
                        t(40, 1, 3, 3)),
                of("depthwise conv backward filter", new Conv2dBwdFilter(same3, Shape.of(20, 1, 3, 3), true, 20),
                        t(2, 20, 5, 5), t(2, 20, 5, 5)),
                of("zero pad", new ZeroPad2d(1, 2, 0, 1), t(2, 12, 5, 5)),
                of("crop", new Crop2d(1, 0, 2, 1), t(2, 12, 5, 5)),
                of("dropout", new DropoutOp(0.4f, 7), t(2, 12, 5, 5), t(1)),
                of("flatten", new FlattenOp(), t(2, 12, 3, 2)),
                of("unflatten", new Unflatten(Shape.of(2, 12, 3, 2)), t(2, 72)),
                of("l2 penalty backward of a blocked tensor", new L2PenaltyBwd(0.5f), t(2, 12, 3, 3), t(1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesCanonicalEngineAndKeepsPaddingZero(Case c) {
        DnnlBlockedFormat format = ((DnnlBackend) blocked).blocked(DType.F32);
        assumeTrue(format != null, "oneDNN's convolution prefers no blocked format on this machine");
        Random rnd = new Random(c.op().toString().hashCode());
        float[][] inputs = new float[c.specs().size()][];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = new float[(int) c.specs().get(i).size()];
            for (int k = 0; k < inputs[i].length; k++) inputs[i][k] = (float) (rnd.nextDouble() * 2 - 1);
        }
        if (c.op() instanceof DropoutOp) inputs[1] = new float[] {3};
        if (c.op() instanceof BatchNormInfer || c.op() instanceof BatchNormBwd) {
            for (int k = 0; k < inputs[4].length; k++) inputs[4][k] = Math.abs(inputs[4][k]) + 0.5f;   // variances
        }
        List<TensorSpec> engineSpecs = new ArrayList<>();
        for (int i = 0; i < c.specs().size(); i++) {
            TensorSpec s = c.specs().get(i);
            boolean engine = s.rank() == 4 && !c.canonicalInputs().contains(i);
            engineSpecs.add(engine ? new TensorSpec(s.shape(), s.dtype(), Layout.ENGINE) : s);
        }

        Outputs expected = run(canonical, c.op(), c.specs(), inputs);
        Outputs got = run(blocked, c.op(), engineSpecs, inputs);
        for (int out = 0; out < expected.canonical.length; out++) {
            int j = out;
            TensorSpec spec = got.specs.get(j);
            boolean blockedOutput = spec.rank() == 4 && !(c.op() instanceof Conv2dBwdFilter);
            assertEquals(blockedOutput ? Layout.ENGINE : Layout.CANONICAL, spec.layout(), c.op().name() + " output " + j + " layout");
            if (spec.layout() == Layout.ENGINE) assertPaddingZero(c.op().name() + " output " + j, spec, got.raw[j], format);
            float[] e = expected.canonical[j], a = got.canonical[j];
            for (int k = 0; k < e.length; k++) {
                int at = k;
                assertTrue(Math.abs(e[k] - a[k]) <= TOL * (1 + Math.abs(e[k])), () -> c.op().name() + " output " + j
                        + " element " + at + ": canonical engine " + e[at] + ", blocked engine " + a[at]);
            }
        }
    }

    /** Blocked [N, ⌈C/b⌉, H, W, b]: every position whose channel is ≥ C must hold exactly 0. */
    private static void assertPaddingZero(String what, TensorSpec spec, float[] raw, DnnlBlockedFormat format) {
        int c = spec.dim(1), hw = spec.dim(2) * spec.dim(3), block = format.block();
        int blocks = (int) (format.paddedChannels(c) / block);
        assertEquals((long) spec.dim(0) * blocks * hw * block, raw.length, what + " buffer size");
        int pads = 0;
        for (int p = 0; p < raw.length; p++) {
            int channel = (p / (block * hw)) % blocks * block + p % block;
            if (channel < c) continue;
            pads++;
            int at = p;
            assertEquals(0f, raw[p], () -> what + ": padded channel " + channel + " at " + at + " holds " + raw[at]);
        }
        assertEquals((long) spec.dim(0) * (format.paddedChannels(c) - c) * hw, pads, what + " padded positions");
    }

    /** Outputs as the kernel wrote them (raw) and converted to canonical; in-place inputs are not compared. */
    private record Outputs(List<TensorSpec> specs, float[][] raw, float[][] canonical) {}

    /** Runs {@code op} on {@code engine} with every buffer prefilled with NaN, inputs converted from canonical. */
    private static Outputs run(Backend engine, Op op, List<TensorSpec> specs, float[][] inputs) {
        try (Kernel k = engine.compile(op, specs, null);
             Arena io = engine.allocate(MemoryKind.IO, 16L << 20)) {
            long[] next = {0};
            java.util.function.LongFunction<Buffer> alloc = bytes -> {
                Buffer b = io.slice(next[0], bytes);
                next[0] += (bytes + 63) / 64 * 64;
                fill(engine, b, Float.NaN);
                return b;
            };
            Buffer[] src = new Buffer[specs.size()];
            for (int i = 0; i < src.length; i++) {
                TensorSpec s = specs.get(i);
                src[i] = alloc.apply(engine.sizeOf(s));
                Buffer staging = alloc.apply(s.bytes());
                engine.upload(staging, FloatBuffer.wrap(inputs[i]));
                copy(engine, canonicalOf(s), s, staging, src[i]);
            }
            List<TensorSpec> outs = k.outputs();
            Buffer[] dst = new Buffer[outs.size()];
            for (int j = 0; j < dst.length; j++) dst[j] = alloc.apply(engine.sizeOf(outs.get(j)));
            Buffer scratch = k.scratchBytes() > 0 ? alloc.apply(k.scratchBytes()) : null;
            Buffer saved = k.savedBytes() > 0 ? alloc.apply(k.savedBytes()) : null;
            k.run(src, dst, scratch, saved);
            engine.synchronize();
            float[][] raw = new float[dst.length][], canon = new float[dst.length][];
            for (int j = 0; j < dst.length; j++) {
                TensorSpec s = outs.get(j);
                raw[j] = download(engine, dst[j], (int) (engine.sizeOf(s) / 4));
                Buffer staging = alloc.apply(s.bytes());
                copy(engine, s, canonicalOf(s), dst[j], staging);
                canon[j] = download(engine, staging, (int) s.size());
            }
            return new Outputs(outs, raw, canon);
        }
    }

    private static TensorSpec canonicalOf(TensorSpec s) { return new TensorSpec(s.shape(), s.dtype(), Layout.CANONICAL); }

    private static void copy(Backend engine, TensorSpec from, TensorSpec to, Buffer src, Buffer dst) {
        try (Kernel r = engine.reorder(from, to)) {
            r.run(new Buffer[] {src}, new Buffer[] {dst}, null, null);
        }
        engine.synchronize();
    }

    private static void fill(Backend engine, Buffer b, float value) {
        float[] v = new float[(int) (b.bytes() / 4)];
        Arrays.fill(v, value);
        engine.upload(b, FloatBuffer.wrap(v));
    }

    private static float[] download(Backend engine, Buffer b, int floats) {
        float[] out = new float[floats];
        engine.download(b, FloatBuffer.wrap(out));
        return out;
    }

    /** The engine states its choice, and sizes blocked tensors with their padding. */
    @Test void blockedFormatFollowsTheConvolutionAndPadsChannels() {
        DnnlBlockedFormat format = ((DnnlBackend) blocked).blocked(DType.F32);
        assumeTrue(format != null, "oneDNN's convolution prefers no blocked format on this machine");
        assertTrue(format.block() == 8 || format.block() == 16, format.toString());
        assertTrue(blocked.device().contains("activations " + format), blocked.device());
        assertTrue(canonical.device().contains("canonical layouts"), canonical.device());
        TensorSpec s = new TensorSpec(Shape.of(2, 12, 5, 5), dev.convkit.tensor.DType.F32, Layout.ENGINE);
        assertEquals(2L * format.block() * 25 * 4, blocked.sizeOf(s));
        List<TensorSpec> specs = new ArrayList<>(List.of(t(2, 12, 5, 5)));
        try (Kernel k = canonical.compile(new ActivationOp(ActivationOp.Kind.RELU), specs, null)) {
            assertEquals(Layout.CANONICAL, k.outputs().get(0).layout());
        }
    }

    /** The capability query agrees with what a convolution kernel writes, so callers need not compile one to ask. */
    @Test void preferredLayoutIsTheConvolutionOutputLayout() {
        for (Backend engine : new Backend[] {blocked, canonical}) {
            try (Kernel k = engine.compile(new Conv2d(Window2d.valid(1, 1, 1, 1, 1, 1), false),
                    List.of(t(1, 8, 2, 2), t(8, 8, 1, 1)), null)) {
                assertEquals(k.outputs().get(0).layout(), engine.preferredLayout(t(1, 8, 2, 2)), engine.device());
            }
            assertEquals(Layout.CANONICAL, engine.preferredLayout(t(4, 10)), "2-D tensors stay canonical");
        }
    }
}
