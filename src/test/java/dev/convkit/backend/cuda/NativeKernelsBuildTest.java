package dev.convkit.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Checks, without a GPU, the kernel binary the build packaged: a fatbin with machine code for sm_80 and sm_90 plus
 * PTX for compute_90, every kernel the Java side launches present in each, and the Java launch signatures
 * ({@link DeviceFunction}) matching the extern "C" declarations in native/kernels. There is no cuobjdump here, so
 * the fatbin container and each cubin's ELF symbol table are read by {@link Fatbin} and {@link Elf64}.
 * A build without nvcc packages the marker {@link Fatbin#SKIPPED_MARKER} instead: the fatbin tests are then skipped
 * with its reason ("cuda: the kernels were not built (no nvcc when ConvKit was built)"); the source tests still run.
 */
class NativeKernelsBuildTest {
    private static final Path KERNELS = Path.of("native/kernels");
    private static final Pattern DECLARATION =
            Pattern.compile("extern \"C\" __global__ void (\\w+)\\(([^)]*)\\)", Pattern.DOTALL);
    /** The reasons pom.xml records; anything else in the marker means the build and this test disagree. */
    private static final Pattern NOT_BUILT = Pattern.compile("cuda: the kernels were not built \\((no nvcc when ConvKit"
            + " was built(, -Dconvkit\\.nvcc=none)?|built with -Dconvkit\\.skipCudaKernels=true)\\)");

    /** The packaged fatbin; skips the calling test, with the build's reason, when the build recorded a skip. */
    private static Fatbin packaged() {
        byte[] image = Fatbin.readPackaged();
        String notBuilt = Fatbin.notBuiltReason();
        Assumptions.assumeTrue(image != null || notBuilt == null, notBuilt);
        assertNotNull(image, Fatbin.resourcePath() + " is not on the test class path and the build recorded no reason"
                + " (" + Fatbin.SKIPPED_MARKER + "); the build must package one of them");
        return Fatbin.parse(image);
    }

    @Test
    void theBuildPackagedEitherTheKernelsOrTheReasonTheyAreMissing() {
        boolean image = Fatbin.readPackaged() != null;
        String notBuilt = Fatbin.notBuiltReason();
        assertTrue(image ^ notBuilt != null, "exactly one of " + Fatbin.RESOURCE + " (" + (image ? "present" : "absent")
                + ") and " + Fatbin.SKIPPED_MARKER + " (" + (notBuilt != null ? notBuilt : "absent") + ")");
        if (notBuilt != null) assertTrue(NOT_BUILT.matcher(notBuilt).matches(), notBuilt);
    }

    @Test
    void holdsMachineCodeForAmpereAndHopperAndPtxForJit() {
        Fatbin fatbin = packaged();
        assertTrue(fatbin.sassArchs().containsAll(Set.of(80, 90)), "SASS architectures in " + fatbin.describe());
        assertEquals(Set.of(90), fatbin.ptxArchs(), "PTX architectures in " + fatbin.describe());
        for (Fatbin.Entry e : fatbin.entries()) assertFalse(e.compressed(), e + " must be stored uncompressed");
    }

    @Test
    void everyLaunchedKernelIsInEveryCodeObject() {
        Fatbin fatbin = packaged();
        Set<String> launched = new TreeSet<>();
        for (DeviceFunction f : DeviceFunction.values()) launched.add(f.symbol());
        assertEquals(fatbin.sassArchs().size() + 1, fatbin.entries().size(), "one cubin per SASS arch plus the PTX: "
                + fatbin.entries());
        for (Fatbin.Entry e : fatbin.entries()) {
            Set<String> missing = new TreeSet<>(launched);
            missing.removeAll(e.kernelNames());
            assertEquals(Set.of(), missing, "kernels missing from the " + e + " code object");
        }
    }

    @Test
    void kernelsRunWhereTheirCodeCanLoad() {
        Fatbin fatbin = packaged();
        assertTrue(fatbin.runsOn(8, 0), "A100 runs sm_80 code");
        assertTrue(fatbin.runsOn(8, 9), "sm_80 code runs on every 8.x device (L4, RTX 40xx)");
        assertTrue(fatbin.runsOn(9, 0), "H100 runs sm_90 code");
        assertTrue(fatbin.runsOn(12, 0), "newer GPUs JIT-compile the compute_90 PTX");
        assertEquals(fatbin.sassArchs().contains(75), fatbin.runsOn(7, 5),
                "Turing runs only sm_75 code: there is no PTX at or below compute_75");
        assertTrue(fatbin.describe().matches("(sm_\\d+, )*sm_80, sm_90(, sm_\\d+)*, compute_90 \\(PTX\\)"), fatbin.describe());
    }

    @Test
    void javaLaunchSignaturesMatchTheCudaDeclarations() throws IOException {
        Map<String, String> declared = declaredKernels();
        List<String> problems = new ArrayList<>();
        for (DeviceFunction f : DeviceFunction.values()) {
            String c = declared.get(f.family() + ":" + f.symbol());
            if (c == null) problems.add(f.symbol() + " is not declared in native/kernels/" + f.family());
            else if (!c.equals(f.signature())) problems.add(f.symbol() + ": Java " + f.signature() + ", C " + c);
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everyDeclaredKernelIsLaunchedFromJava() throws IOException {
        Set<String> unused = new TreeSet<>();
        for (String key : declaredKernels().keySet()) unused.add(key.substring(key.indexOf(':') + 1));
        for (DeviceFunction f : DeviceFunction.values()) unused.remove(f.symbol());
        assertEquals(Set.of(), unused, "extern \"C\" kernels no DeviceFunction launches");
    }

    @Test
    void rejectsImagesThatAreNotFatbinaries() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fatbin.parse(new byte[64]));
        assertTrue(e.getMessage().contains("0xBA55ED50"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Elf64.globalFunctions("not an elf image at all.....".repeat(3).getBytes()));
    }

    /** "family.cu:symbol" → signature letters, parsed from every extern "C" __global__ declaration. */
    private static Map<String, String> declaredKernels() throws IOException {
        Map<String, String> out = new TreeMap<>();
        List<Path> sources;
        try (Stream<Path> s = Files.list(KERNELS)) {
            sources = s.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
        }
        assertFalse(sources.isEmpty(), "no .cu files under " + KERNELS.toAbsolutePath());
        for (Path p : sources) {
            Matcher m = DECLARATION.matcher(Files.readString(p));
            while (m.find()) out.put(p.getFileName() + ":" + m.group(1), signature(m.group(2)));
        }
        return out;
    }

    private static String signature(String parameters) {
        StringBuilder sb = new StringBuilder();
        for (String p : parameters.split(",")) {
            String type = p.trim().replaceAll("\\s+", " ").replaceFirst("\\s*\\w+$", "").replace("const ", "").trim();
            if (type.endsWith("*")) sb.append('P');
            else if (type.equals("long long")) sb.append('L');
            else if (type.equals("unsigned long long")) sb.append('U');
            else if (type.equals("int")) sb.append('I');
            else if (type.equals("float")) sb.append('F');
            else throw new AssertionError("unexpected kernel parameter type '" + type + "' in '" + p.trim() + "'");
        }
        return sb.toString();
    }
}
