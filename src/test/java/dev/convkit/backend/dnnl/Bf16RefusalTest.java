package dev.convkit.backend.dnnl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendException;
import dev.convkit.backend.BackendOptions;
import dev.convkit.exec.CompiledModel;
import dev.convkit.graph.Precision;
import dev.convkit.models.ModelRegistry;
import dev.convkit.ops.Cast;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.TensorSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * bf16 on a CPU without native bf16 is refused, naming the ISA, never emulated. The CPU is made one by
 * {@code ONEDNN_MAX_CPU_ISA=AVX512_CORE} (read by oneDNN when it loads), so the check runs in a child JVM:
 * {@link #main} compiles a bf16 cast and a bf16 model there and prints the two messages.
 */
class Bf16RefusalTest {

    @Test void bf16OnAnAvx512CoreCpuFailsNamingTheIsa() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                Bf16RefusalTest.class.getName()).redirectErrorStream(true);
        pb.environment().put("ONEDNN_MAX_CPU_ISA", "AVX512_CORE");
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish:\n" + out);
        assertEquals(0, p.exitValue(), out);
        System.out.print("Bf16RefusalTest child (ONEDNN_MAX_CPU_ISA=AVX512_CORE):\n" + out);
        String isa = out.lines().filter(l -> l.startsWith("isa ")).findFirst().orElse("");
        if (isa.equals("isa sse41") || isa.equals("isa avx") || isa.startsWith("isa avx2")) {
            return;   // an older CPU: its own effective ISA is below avx512_core; the messages below still apply
        }
        assertTrue(out.contains("kernel: cpu: cast_bf16 [f32(2, 3)]: this CPU has no native bf16 arithmetic: oneDNN's"
                + " effective ISA is avx512_core, and bf16 needs avx512_core_bf16, avx2_vnni_2 or AMX"), out);
        assertTrue(out.contains("model: cpu: cannot compile model 'mnist_cnn' with precision bf16 (mixed_bfloat16): this CPU has"
                + " no native bf16 arithmetic: oneDNN's effective ISA is avx512_core"), out);
    }

    /** Child: prints the effective ISA and the messages of a bf16 kernel and a bf16 model. */
    public static void main(String[] args) {
        System.out.println("isa " + DnnlProvider.isa());
        try (Backend cpu = new DnnlProvider().open(BackendOptions.defaults())) {
            try {
                cpu.compile(new Cast(DType.BF16), List.of(TensorSpec.f32(2, 3)), null).close();
                System.out.println("kernel: compiled");
            } catch (BackendException e) {
                System.out.println("kernel: " + e.getMessage());
            }
            try {
                new CompiledModel(ModelRegistry.create("mnist_cnn"), cpu, null, Precision.MIXED_BF16).close();
                System.out.println("model: compiled");
            } catch (BackendException e) {
                System.out.println("model: " + e.getMessage());
            }
        }
    }
}
