package dev.convkit.backend.cuda;

import dev.convkit.backend.Arena;
import dev.convkit.backend.Availability;
import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.Buffer;
import dev.convkit.backend.Kernel;
import dev.convkit.backend.MemoryKind;
import dev.convkit.ops.Op;
import dev.convkit.tensor.TensorSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Test rig for the GPU tests: an open cuda engine, one arena per buffer (simple, and each is closed with the rig) and
 * a one-call "run this op on these host arrays" helper. Only usable where the engine is available; {@link #assumeGpu}
 * turns every test into a skipped one, with the probe's reason, elsewhere.
 */
final class CudaRig implements AutoCloseable {
    final Backend backend;
    private final List<Arena> arenas = new ArrayList<>();
    private final List<Kernel> kernels = new ArrayList<>();

    CudaRig(BackendOptions options) { this.backend = new CudaProvider().open(options); }

    CudaRig() { this(BackendOptions.defaults().withDeterministic(true)); }

    /** Skips the calling test class or test, with the availability reason, unless the cuda engine can run here. */
    static void assumeGpu() {
        Availability a = new CudaProvider().availability();
        Assumptions.assumeTrue(a.available(), "cuda engine unavailable: " + a.reason());
    }

    /** A zero-filled buffer of {@code bytes} (at least 4) in an arena of its own. */
    Buffer buffer(long bytes) {
        Arena a = backend.allocate(MemoryKind.IO, Math.max(bytes, 4));
        arenas.add(a);
        Buffer b = a.slice(0, Math.max(bytes, 4));
        backend.zero(b);
        return b;
    }

    Buffer upload(float[] data) {
        Buffer b = buffer(4L * data.length);
        backend.upload(b, FloatBuffer.wrap(data));
        return b;
    }

    float[] download(Buffer b, int floats) {
        float[] out = new float[floats];
        backend.download(b, FloatBuffer.wrap(out));
        return out;
    }

    Kernel compile(Op op, List<TensorSpec> specs, Kernel forward) {
        Kernel k = backend.compile(op, specs, forward);
        kernels.add(k);
        return k;
    }

    /** Runs a compiled kernel on device buffers with fresh scratch, then waits for it. */
    void run(Kernel k, Buffer[] src, Buffer[] dst, Buffer saved) {
        Buffer scratch = k.scratchBytes() > 0 ? buffer(k.scratchBytes()) : null;
        k.run(src, dst, scratch, saved);
        backend.synchronize();
    }

    /**
     * Compiles and runs {@code op} on host inputs; returns the outputs. Inputs the op updates in place are copied
     * back into the given arrays.
     */
    float[][] run(Op op, List<TensorSpec> specs, float[]... inputs) {
        Kernel k = compile(op, specs, null);
        Buffer[] src = new Buffer[inputs.length];
        for (int i = 0; i < inputs.length; i++) src[i] = upload(inputs[i]);
        Buffer[] dst = new Buffer[k.outputs().size()];
        for (int i = 0; i < dst.length; i++) dst[i] = buffer(k.outputs().get(i).bytes());
        run(k, src, dst, k.savedBytes() > 0 ? buffer(k.savedBytes()) : null);
        for (int i : op.inPlaceInputs()) System.arraycopy(download(src[i], inputs[i].length), 0, inputs[i], 0, inputs[i].length);
        float[][] out = new float[dst.length][];
        for (int i = 0; i < dst.length; i++) out[i] = download(dst[i], (int) k.outputs().get(i).size());
        return out;
    }

    @Override public void close() {
        for (Kernel k : kernels) k.close();
        for (Arena a : arenas) a.close();
        backend.close();
    }
}
