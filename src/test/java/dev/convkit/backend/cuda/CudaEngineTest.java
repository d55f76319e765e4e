package dev.convkit.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.backend.Arena;
import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendException;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.Buffer;
import dev.convkit.backend.Kernel;
import dev.convkit.backend.MemoryKind;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.ops.Scale;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Engine mechanics on a GPU: transfers, memory errors, threads, determinism. Skipped, with the reason, without one. */
class CudaEngineTest {

    /** Per test, so that each one is reported as skipped with the reason (surefire drops class-level skips). */
    @BeforeEach
    void needsGpu() { CudaRig.assumeGpu(); }

    @Test
    void transfersRoundTripAcrossStagingChunksWithoutMovingCallerPositions() {
        try (CudaRig rig = new CudaRig()) {
            int n = (2 << 20) + 1234;  // more than one pinned staging chunk
            float[] data = new float[n];
            for (int i = 0; i < n; i++) data[i] = i * 0.5f - 7f;
            Buffer b = rig.buffer(4L * n);
            FloatBuffer src = FloatBuffer.wrap(data);
            rig.backend.upload(b, src);
            assertEquals(0, src.position(), "upload leaves the source position alone");
            float[] back = rig.download(b, n);
            assertArrayEquals(data, back);
            rig.backend.zero(b);
            assertEquals(0f, rig.download(b, n)[n - 1]);
        }
    }

    @Test
    void deviceDescriptionNamesComputeCapabilityAndCudnn() {
        try (CudaRig rig = new CudaRig()) {
            assertEquals("cuda", rig.backend.name());
            assertTrue(rig.backend.device().matches(".+\\(device 0, cc \\d+\\.\\d, [0-9.]+ GiB, cuDNN 9\\.\\d+\\.\\d+\\)"),
                    rig.backend.device());
            assertEquals(256, rig.backend.alignment());
        }
    }

    @Test
    void outOfMemoryReportsRequestedAndFreeBytes() {
        try (CudaRig rig = new CudaRig()) {
            long huge = 1L << 50;
            BackendException e = assertThrows(BackendException.class, () -> rig.backend.allocate(MemoryKind.ACTIVATIONS, huge));
            assertTrue(e.getMessage().contains(huge + " bytes for ACTIVATIONS arena"), e.getMessage());
            assertTrue(e.getMessage().matches("(?s).*\\d+ bytes free of \\d+.*"), e.getMessage());
        }
    }

    @Test
    void slicesMustBeAlignedAndInside() {
        try (CudaRig rig = new CudaRig(); Arena a = rig.backend.allocate(MemoryKind.PARAMS, 4096)) {
            assertThrows(IllegalArgumentException.class, () -> a.slice(4, 16));
            assertThrows(IllegalArgumentException.class, () -> a.slice(3840, 512));
            assertEquals(256, a.slice(3840, 256).bytes());
        }
    }

    @Test
    void aClosedEngineRefusesWork() {
        Backend b = new CudaProvider().open(BackendOptions.defaults());
        b.close();
        b.close();
        assertThrows(IllegalStateException.class, () -> b.allocate(MemoryKind.IO, 16));
    }

    @Test
    void twoEnginesOnTwoThreadsShareNothing() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<float[]> a = pool.submit(() -> scaleRepeatedly(2f));
            Future<float[]> b = pool.submit(() -> scaleRepeatedly(3f));
            float[] ra = a.get(), rb = b.get();
            for (int i = 0; i < ra.length; i++) {
                assertEquals(i * 2f, ra[i], 1e-6f * i);
                assertEquals(i * 3f, rb[i], 1e-6f * i);
            }
        } finally {
            pool.shutdown();
        }
    }

    /** 50 launches of dst = alpha · src on an engine of its own; returns the last result. */
    private static float[] scaleRepeatedly(float alpha) {
        try (CudaRig rig = new CudaRig()) {
            int n = 100_000;
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = i;
            Kernel k = rig.compile(new Scale(alpha), List.of(TensorSpec.f32(n)), null);
            Buffer src = rig.upload(x), dst = rig.buffer(4L * n);
            for (int step = 0; step < 50; step++) k.run(new Buffer[] {src}, new Buffer[] {dst}, null, null);
            rig.backend.synchronize();
            return rig.download(dst, n);
        }
    }

    @Test
    void deterministicEnginesRepeatFilterGradientsBitForBit() {
        Window2d win = Window2d.same(16, 16, 3, 3, 2, 2, 1, 1);
        Shape wShape = Shape.of(32, 16, 3, 3);
        List<TensorSpec> specs = List.of(TensorSpec.f32(8, 16, 16, 16), TensorSpec.f32(8, 32, 8, 8));
        Random r = new Random(5);
        float[] x = new float[8 * 16 * 16 * 16], dy = new float[8 * 32 * 8 * 8];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < dy.length; i++) dy[i] = (float) r.nextGaussian();
        try (CudaRig rig = new CudaRig(BackendOptions.defaults().withDeterministic(true))) {
            float[] first = rig.run(new Conv2dBwdFilter(win, wShape, true), specs, x, dy)[0];
            float[] second = rig.run(new Conv2dBwdFilter(win, wShape, true), specs, x, dy)[0];
            assertArrayEquals(first, second);
        }
    }
}
