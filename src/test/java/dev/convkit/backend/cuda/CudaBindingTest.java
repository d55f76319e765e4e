package dev.convkit.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cuCtxCreate;
import static org.bytedeco.cuda.global.cudart.cuCtxDestroy;
import static org.bytedeco.cuda.global.cudart.cuCtxGetCurrent;
import static org.bytedeco.cuda.global.cudart.cuDeviceGet;
import static org.bytedeco.cuda.global.cudart.cuInit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.backend.Availability;
import dev.convkit.backend.BackendOptions;
import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.ActivationBwd;
import dev.convkit.tensor.TensorSpec;
import java.util.List;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GPU only (skipped elsewhere with the probe's reason): the engine makes its own device context current before every
 * call and in close(), whatever another engine or library left current on the thread, and the probe looks at the
 * device the options name. With one GPU, a second context on the same device stands in for another engine's GPU:
 * before the per-call binding, a thread that had already bound the engine once kept whichever context was current,
 * and our kernels, loaded into the primary context, failed to launch.
 */
class CudaBindingTest {
    @BeforeEach
    void needsGpu() { CudaRig.assumeGpu(); }

    @Test
    void callsAfterAnotherContextBecameCurrentRunInTheEnginesContext() {
        CUctx_st foreign = new CUctx_st();
        try (CudaRig rig = new CudaRig()) {
            float[] y = {0.25f, 0.5f, 0.9f}, dy = {1f, -2f, 4f};
            List<TensorSpec> specs = List.of(TensorSpec.f32(3), TensorSpec.f32(3));
            ActivationBwd op = new ActivationBwd(ActivationOp.Kind.SIGMOID);
            float[] first = rig.run(op, specs, y, dy)[0];
            makeForeignContextCurrent(foreign);
            float[] second = rig.run(op, specs, y, dy)[0];  // same thread, another context current
            assertArrayEquals(first, second);
            assertArrayEquals(new float[] {0.25f * 0.75f, -2f * 0.25f, 4f * 0.9f * (1f - 0.9f)}, second, 1e-6f);
            makeForeignContextCurrent(foreign);  // close() must bind too
        } finally {
            if (!foreign.isNull()) Check.driver(cuCtxDestroy(foreign), "cuCtxDestroy", null, null);
        }
    }

    @Test
    void aDeviceIndexBeyondTheVisibleOnesIsUnavailableWithTheReason() {
        int count = CudaDevice.count();
        Availability a = new CudaProvider().availability(new BackendOptions(0, count, false, 512L << 20));
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("cuda: device " + count + " is not visible: " + count + " CUDA device(s)"), a.reason());
        assertTrue(new CudaProvider().availability(BackendOptions.defaults()).available());
    }

    /** Creates (once) a second context on device 0 and makes it current on this thread. */
    private static void makeForeignContextCurrent(CUctx_st foreign) {
        if (foreign.isNull()) {
            int[] device = new int[1];
            Check.driver(cuInit(0), "cuInit", null, null);
            Check.driver(cuDeviceGet(device, 0), "cuDeviceGet", null, null);
            Check.driver(cuCtxCreate(foreign, null, 0, device[0]), "cuCtxCreate", null, null);  // also makes it current
        } else {
            Check.driver(org.bytedeco.cuda.global.cudart.cuCtxSetCurrent(foreign), "cuCtxSetCurrent", null, null);
        }
        CUctx_st current = new CUctx_st();
        Check.driver(cuCtxGetCurrent(current), "cuCtxGetCurrent", null, null);
        assertEquals(foreign.address(), current.address(), "the foreign context is current");
    }
}
