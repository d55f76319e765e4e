package dev.convkit.backend.dnnl;

import static org.bytedeco.dnnl.global.dnnl.dnnl_get_effective_cpu_isa;

import dev.convkit.backend.BackendException;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Whether this CPU runs bf16 natively. oneDNN runs bf16 primitives on plain AVX-512 too, by emulating the bf16 dot
 * products with f32 instructions, which is slower than f32 itself; a bf16 program there would be a silent
 * slowdown. So the engine compiles bf16 kernels only when oneDNN's effective ISA has native bf16 instructions:
 * AVX512_BF16 (avx512_core_bf16 and every AVX10 / AMX level above it) or AVX2-VNNI-2 (which converts and
 * multiplies bf16 on AVX2 parts).
 *
 * <p>oneDNN's {@code dnnl_cpu_isa_t} values are bit sets of features; bit 0x80 is avx512_core_bf16 and 0x10 is
 * avx2_vnni_2 ({@code ONEDNN_MAX_CPU_ISA} lowers the effective ISA, which this check follows).
 */
final class DnnlBf16 {
    private DnnlBf16() {}

    private static final int AVX512_BF16_BIT = 0x80;
    private static final int AVX2_VNNI_2_BIT = 0x10;

    /** Whether the effective ISA has native bf16 arithmetic. */
    static boolean native16() {
        int isa = dnnl_get_effective_cpu_isa();
        return (isa & AVX512_BF16_BIT) != 0 || (isa & AVX2_VNNI_2_BIT) != 0;
    }

    /** Why bf16 cannot run here, or null when it can. */
    static String unsupportedReason() {
        if (native16()) return null;
        return "this CPU has no native bf16 arithmetic: oneDNN's effective ISA is " + DnnlProvider.isa() + ", and bf16"
                + " needs avx512_core_bf16, avx2_vnni_2 or AMX (oneDNN would emulate bf16 with f32 instructions, slower"
                + " than f32 itself, so the cpu engine refuses instead); run with precision fp32";
    }

    /** Throws a BackendException naming the ISA when any spec is bf16 and this CPU cannot run it natively. */
    static void require(List<TensorSpec> specs, String what) {
        boolean any = false;
        for (TensorSpec s : specs) any |= s.dtype() == DType.BF16;
        if (!any) return;
        String reason = unsupportedReason();
        if (reason != null) throw new BackendException(DnnlStatus.ENGINE, what + ": " + reason);
    }
}
