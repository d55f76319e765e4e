package dev.convkit.graph;

import dev.convkit.graph.diagram.BoxGraph;
import dev.convkit.graph.diagram.Diagrams;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The model's graph as a picture, like Keras's plot_model: one box per layer (name, type, batch output shape), one
 * arrow per connection, top to bottom. Drawn in Java by default ({@link Engine#JAVA}: ELK's layered layout, then SVG
 * text or a Java2D PNG; needs no Graphviz), or by Graphviz's {@code dot} program when asked ({@link Engine#DOT}). The
 * Graphviz DOT text itself is always available ({@link #dot}, and files ending in .dot).
 */
public final class ModelDiagram {
    /** Who draws .svg and .png files. */
    public enum Engine { JAVA, DOT }

    /** What the java engine writes, by file extension; a file without one gets DOT text. */
    public static final List<String> JAVA_FORMATS = List.of("svg", "png", "dot");

    private ModelDiagram() {}

    /** The boxes and links of the drawing, in the model's topological order. */
    public static BoxGraph boxes(Model m) {
        Map<Node, Integer> index = new IdentityHashMap<>();
        List<BoxGraph.Box> boxes = new ArrayList<>();
        List<BoxGraph.Link> links = new ArrayList<>();
        for (Node n : m.nodes()) {
            index.put(n, boxes.size());
            boxes.add(new BoxGraph.Box(n.layer().name(), n.layer().type(), shapes(n), kind(n)));
            for (SymbolicTensor t : n.inputs()) links.add(new BoxGraph.Link(index.get(t.node()), boxes.size() - 1));
        }
        return new BoxGraph(m.name(), boxes, links);
    }

    private static BoxGraph.Kind kind(Node n) {
        if (n.layer() instanceof Input) return BoxGraph.Kind.INPUT;
        if (n.inputs().size() > 1) return BoxGraph.Kind.MERGE;
        return n.layer().params(n.inputShapes()).isEmpty() ? BoxGraph.Kind.PLAIN : BoxGraph.Kind.WEIGHTED;
    }

    private static String shapes(Node n) {
        List<String> s = new ArrayList<>();
        for (SymbolicTensor t : n.outputs()) s.add(ModelSummary.batchShape(t.shape()));
        return String.join(", ", s);
    }

    public static String dot(Model m) {
        Map<Node, String> ids = new IdentityHashMap<>();
        StringBuilder sb = new StringBuilder("digraph \"" + esc(m.name()) + "\" {\n  rankdir=TB;\n  node [shape=record, fontname=\"Helvetica\", fontsize=10];\n");
        int k = 0;
        for (Node n : m.nodes()) {
            String id = "n" + (k++);
            ids.put(n, id);
            sb.append("  ").append(id).append(" [label=\"{").append(esc(n.layer().name())).append(" | ")
                    .append(esc(n.layer().type())).append(" | ").append(esc(shapes(n).replace(", (", " ("))).append("}\"];\n");
        }
        for (Node n : m.nodes()) {
            for (SymbolicTensor t : n.inputs()) sb.append("  ").append(ids.get(t.node())).append(" -> ").append(ids.get(n)).append(";\n");
        }
        return sb.append("}\n").toString();
    }

    /** The format a file asks for: its extension in lower case, "dot" when it has none. */
    public static String format(Path file) {
        String fname = file.getFileName().toString();
        int dot = fname.lastIndexOf('.');
        return dot < 0 ? "dot" : fname.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /**
     * Writes the diagram to {@code file} in the format of its extension. A .dot file (or one without extension) gets
     * the DOT text with either engine. {@link Engine#JAVA} draws .svg and .png; {@link Engine#DOT} writes the DOT
     * text beside {@code file} (same name, .dot) and runs {@code dot -T<ext>}, so any format of Graphviz works.
     *
     * @throws IllegalArgumentException the java engine was asked for a format other than {@link #JAVA_FORMATS}
     * @throws IOException the file could not be written, or {@code dot} is not installed or failed (message says which)
     */
    public static void write(Model m, Path file, Engine engine) throws IOException {
        String format = format(file);
        if (format.equals("dot")) {
            Files.writeString(file, dot(m), StandardCharsets.UTF_8);
        } else if (engine == Engine.JAVA) {
            if (!JAVA_FORMATS.contains(format)) {
                throw new IllegalArgumentException("cannot draw " + file + ": format '" + format + "' is not one of " + JAVA_FORMATS);
            }
            Diagrams.write(boxes(m), file, format);
        } else {
            renderWithGraphviz(m, file, format);
        }
    }

    /** {@link #write} with the java engine. */
    public static void write(Model m, Path file) throws IOException { write(m, file, Engine.JAVA); }

    private static void renderWithGraphviz(Model m, Path file, String format) throws IOException {
        String fname = file.getFileName().toString();
        Path dotFile = file.resolveSibling(fname.substring(0, fname.lastIndexOf('.')) + ".dot");
        Files.writeString(dotFile, dot(m), StandardCharsets.UTF_8);
        Process p;
        try {
            p = new ProcessBuilder("dot", "-T" + format, "-o", file.toString(), dotFile.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("could not run Graphviz's 'dot' program to render " + file + " (" + e.getMessage()
                    + "); the DOT source is in " + dotFile, e);
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("Graphviz's 'dot' did not finish rendering " + file + " within 60 s; the DOT source is in " + dotFile);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while Graphviz's 'dot' rendered " + file, e);
        }
        if (p.exitValue() != 0) {
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            throw new IOException("Graphviz's 'dot -T" + format + "' failed with exit code " + p.exitValue() + " rendering " + file
                    + (said.isEmpty() ? "" : ": " + said) + "; the DOT source is in " + dotFile);
        }
    }

    private static String esc(String s) { return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("{", "\\{").replace("}", "\\}").replace("|", "\\|").replace("<", "\\<").replace(">", "\\>"); }
}
