package dev.convkit.graph;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The model as a Graphviz DOT graph (one box per layer with its output shape), rendered by {@code dot} when installed. */
public final class ModelDiagram {
    private ModelDiagram() {}

    public static String dot(Model m) {
        Map<Node, String> ids = new IdentityHashMap<>();
        StringBuilder sb = new StringBuilder("digraph \"" + esc(m.name()) + "\" {\n  rankdir=TB;\n  node [shape=record, fontname=\"Helvetica\", fontsize=10];\n");
        int k = 0;
        for (Node n : m.nodes()) {
            String id = "n" + (k++);
            ids.put(n, id);
            StringBuilder shapes = new StringBuilder();
            for (SymbolicTensor t : n.outputs()) shapes.append(ModelSummary.batchShape(t.shape())).append(' ');
            sb.append("  ").append(id).append(" [label=\"{").append(esc(n.layer().name())).append(" | ")
                    .append(esc(n.layer().type())).append(" | ").append(esc(shapes.toString().trim())).append("}\"];\n");
        }
        for (Node n : m.nodes()) {
            for (SymbolicTensor t : n.inputs()) sb.append("  ").append(ids.get(t.node())).append(" -> ").append(ids.get(n)).append(";\n");
        }
        return sb.append("}\n").toString();
    }

    /**
     * Writes {@code dot} text to {@code file} with extension .dot and, when the Graphviz {@code dot} program is on the
     * PATH, renders {@code file} itself (format from its extension: svg or png). Returns whether rendering happened.
     */
    public static boolean write(Model m, Path file) throws IOException {
        String text = dot(m);
        String fname = file.getFileName().toString();
        int dotIdx = fname.lastIndexOf('.');
        String ext = dotIdx < 0 ? "" : fname.substring(dotIdx + 1).toLowerCase();
        if (ext.equals("dot") || ext.isEmpty()) {
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return false;
        }
        Path dotFile = file.resolveSibling(fname.substring(0, dotIdx) + ".dot");
        Files.writeString(dotFile, text, StandardCharsets.UTF_8);
        try {
            Process p = new ProcessBuilder("dot", "-T" + ext, "-o", file.toString(), dotFile.toString()).redirectErrorStream(true).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) { p.destroyForcibly(); return false; }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false; // Graphviz not installed: the .dot file is still written
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String esc(String s) { return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("{", "\\{").replace("}", "\\}").replace("|", "\\|").replace("<", "\\<").replace(">", "\\>"); }
}
