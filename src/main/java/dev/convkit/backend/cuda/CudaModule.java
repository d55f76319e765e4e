package dev.convkit.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadData;
import static org.bytedeco.cuda.global.cudart.cuModuleUnload;

import dev.convkit.backend.BackendException;
import java.util.EnumMap;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.javacpp.BytePointer;

/**
 * Our kernels loaded into the current context: the packaged fatbin handed to cuModuleLoadData (the driver picks the
 * sm_XY code for this GPU or JIT-compiles the PTX) and every {@link DeviceFunction} resolved once. Owned by one
 * {@link CudaBackend}; closing unloads the module.
 */
final class CudaModule implements AutoCloseable {
    private final CUmod_st module;
    private final Map<DeviceFunction, CUfunc_st> functions = new EnumMap<>(DeviceFunction.class);

    private CudaModule(CUmod_st module) { this.module = module; }

    /** Loads {@code fatbin} (the bytes of {@link Fatbin#RESOURCE}) and resolves every kernel, or throws naming why. */
    static CudaModule load(byte[] fatbin, String where) {
        CUmod_st handle = new CUmod_st();
        try (BytePointer image = new BytePointer(fatbin)) {
            Check.driver(cuModuleLoadData(handle, image), "cuModuleLoadData(" + where + ", " + fatbin.length
                    + " bytes; the GPU needs code for its architecture: " + describeArchs(fatbin) + ")", null, null);
        }
        CudaModule m = new CudaModule(handle);
        try {
            for (DeviceFunction f : DeviceFunction.values()) {
                CUfunc_st fn = new CUfunc_st();
                int status = cuModuleGetFunction(fn, handle, f.symbol());
                if (status != 0) {
                    throw new BackendException(Check.ENGINE, "kernel " + f.symbol() + " (native/kernels/" + f.family()
                            + ") is missing from " + where + ": " + Check.describe(Check.Library.DRIVER, status)
                            + "; rebuild the kernels (mvn generate-resources)");
                }
                m.functions.put(f, fn);
            }
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    CUfunc_st function(DeviceFunction f) { return functions.get(f); }

    private static String describeArchs(byte[] fatbin) {
        try {
            return Fatbin.parse(fatbin).describe();
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    @Override public void close() {
        if (module.isNull()) return;
        cuModuleUnload(module);
        module.setNull();
    }
}
