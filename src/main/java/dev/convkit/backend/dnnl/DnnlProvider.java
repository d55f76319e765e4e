package dev.convkit.backend.dnnl;

import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_get_count;
import static org.bytedeco.dnnl.global.dnnl.dnnl_get_effective_cpu_isa;
import static org.bytedeco.dnnl.global.dnnl.dnnl_version;

import dev.convkit.backend.Availability;
import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendException;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.BackendProvider;
import org.bytedeco.dnnl.dnnl_version_t;
import org.bytedeco.javacpp.Loader;

/**
 * The "cpu" engine: oneDNN through the JavaCPP dnnl preset. Cheap to construct; the native library is loaded on the
 * first {@link #availability()} or {@link #open} call.
 */
public final class DnnlProvider implements BackendProvider {
    /** The engine's name on the command line and in messages. */
    public static final String NAME = "cpu";

    private volatile Availability availability;

    @Override public String name() { return NAME; }

    @Override public int priority() { return 10; }

    @Override public Availability availability() {
        Availability a = availability;
        if (a == null) {
            a = probe();
            availability = a;
        }
        return a;
    }

    private static Availability probe() {
        try {
            Loader.load(org.bytedeco.dnnl.global.dnnl.class);
            if (dnnl_engine_get_count(dnnl_cpu) < 1) return Availability.no("cpu: oneDNN reports no cpu engine");
            return Availability.yes(describe());
        } catch (Throwable t) {
            return Availability.no("cpu: oneDNN native library failed to load: " + t);
        }
    }

    /** "oneDNN 3.11.0, 2 threads, avx512_core"; needs the native library. */
    static String describe() {
        return "oneDNN " + version() + ", " + DnnlBackend.openMpThreads() + " threads, " + isa();
    }

    static String version() {
        dnnl_version_t v = dnnl_version();
        return v.major() + "." + v.minor() + "." + v.patch();
    }

    /** The instruction set oneDNN's JIT generates code for on this machine. */
    static String isa() {
        int isa = dnnl_get_effective_cpu_isa();
        return switch (isa) {
            case 0x1 -> "sse41";
            case 0x3 -> "avx";
            case 0x7 -> "avx2";
            case 0xf -> "avx2_vnni";
            case 0x1f -> "avx2_vnni_2";
            case 0x27 -> "avx512_core";
            case 0x67 -> "avx512_core_vnni";
            case 0xe7 -> "avx512_core_bf16";
            case 0x1ef -> "avx10_1_512";
            case 0xfef -> "avx10_1_512_amx";
            case 0x1fef -> "avx10_1_512_amx_fp16";
            case 0x201ff -> "avx10_2_512";
            case 0x22fff -> "avx10_2_512_amx_2";
            default -> "isa 0x" + Integer.toHexString(isa);
        };
    }

    @Override public Backend open(BackendOptions options) {
        Availability a = availability();
        if (!a.available()) throw new BackendException(NAME, "cannot open: " + a.reason());
        return new DnnlBackend(options == null ? BackendOptions.defaults() : options);
    }
}
