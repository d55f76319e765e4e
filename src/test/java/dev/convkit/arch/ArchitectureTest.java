package dev.convkit.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point inward: cli → train → exec → graph/backend → ops → tensor, train → data/io, and only cli →
 * models → layers → graph and cli → onnx → layers/graph (the README's diagram). Native bindings (org.bytedeco)
 * appear only in the two engine packages, and nothing imports an engine package: engines are found through
 * ServiceLoader.
 */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src/main/java/dev/convkit");
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)", Pattern.MULTILINE);

    /** package → the ConvKit packages it may import (besides itself). */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("tensor", Set.of()),
            Map.entry("ops", Set.of("tensor")),
            Map.entry("backend", Set.of("ops", "tensor")),
            Map.entry("backend.dnnl", Set.of("backend", "ops", "tensor")),
            Map.entry("backend.cuda", Set.of("backend", "ops", "tensor")),
            Map.entry("graph", Set.of("ops", "tensor")),
            Map.entry("layers", Set.of("graph", "ops", "tensor")),
            Map.entry("models", Set.of("layers", "graph", "ops", "tensor")),
            Map.entry("exec", Set.of("graph", "backend", "ops", "tensor")),
            Map.entry("io", Set.of("tensor")),
            Map.entry("data", Set.of("io", "tensor")),
            Map.entry("train", Set.of("exec", "graph", "backend", "ops", "tensor", "data", "io")),
            Map.entry("onnx", Set.of("layers", "graph", "ops", "tensor")),
            Map.entry("cli", Set.of("train", "exec", "graph", "backend", "ops", "tensor", "data", "io", "models", "layers", "onnx")));

    @Test
    void nativeBindingsStayInsideEnginePackages() throws IOException {
        List<String> leaks = new ArrayList<>();
        for (Path f : javaFiles()) {
            String pkg = packageOf(f);
            if (pkg.equals("backend.dnnl") || pkg.equals("backend.cuda")) continue;
            if (Files.readString(f).contains("org.bytedeco")) leaks.add(MAIN.relativize(f).toString());
        }
        assertEquals(List.of(), leaks, "org.bytedeco used outside backend.dnnl / backend.cuda");
    }

    @Test
    void dependenciesPointInward() throws IOException {
        List<String> violations = new ArrayList<>();
        List<Path> files = javaFiles();
        assertTrue(files.size() > 50, "expected the main sources under " + MAIN.toAbsolutePath());
        for (Path f : files) {
            String pkg = packageOf(f);
            Set<String> allowed = ALLOWED.get(pkg);
            if (allowed == null) { violations.add(pkg + ": package not declared in ArchitectureTest"); continue; }
            Matcher m = IMPORT.matcher(Files.readString(f));
            while (m.find()) {
                String imp = m.group(1);
                if (!imp.startsWith("dev.convkit.")) continue;
                String target = targetPackage(imp.substring("dev.convkit.".length()));
                if (!target.equals(pkg) && !allowed.contains(target)) {
                    violations.add(MAIN.relativize(f) + " imports " + imp + " (" + pkg + " may use " + allowed + ")");
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    private static String targetPackage(String rest) {
        String[] parts = rest.split("\\.");
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            if (Character.isUpperCase(p.charAt(0))) break;
            if (sb.length() > 0) sb.append('.');
            sb.append(p);
        }
        return layer(sb.toString());
    }

    private static String packageOf(Path f) {
        return layer(MAIN.relativize(f.getParent()).toString().replace('/', '.'));
    }

    /** The architectural layer of a package: sub-packages belong to their parent, except the two engines. */
    private static String layer(String pkg) {
        String[] parts = pkg.split("\\.");
        if (parts[0].equals("backend") && parts.length > 1) return "backend." + parts[1];
        return parts[0];
    }

    private static List<Path> javaFiles() throws IOException {
        try (Stream<Path> s = Files.walk(MAIN)) {
            return s.filter(p -> p.toString().endsWith(".java")).toList();
        }
    }
}
