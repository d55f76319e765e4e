package dev.convkit.graph;

import dev.convkit.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Keras-like summary table: layer (type), output shape, parameter count, connected to; then the total,
 * trainable and non-trainable counts (BN moving mean/variance are non-trainable, as in Keras). Output shapes are
 * printed as (None, C, H, W): ConvKit's logical layout is channels-first.
 */
public final class ModelSummary {
    private ModelSummary() {}

    public static String render(Model m) {
        int w1 = 40, w2 = 24, w3 = 12;
        List<String[]> rows = new ArrayList<>();
        for (Node n : m.nodes()) {
            Layer l = n.layer();
            long count = l.params(n.inputShapes()).stream().mapToLong(ParamSpec::count).sum();
            List<String> from = new ArrayList<>();
            for (SymbolicTensor t : n.inputs()) from.add(t.label());
            StringBuilder shapes = new StringBuilder();
            for (SymbolicTensor t : n.outputs()) {
                if (shapes.length() > 0) shapes.append(", ");
                shapes.append(batchShape(t.shape()));
            }
            String layer = l.name() + " (" + l.type() + ")";
            rows.add(new String[] {layer, shapes.toString(), String.format(Locale.ROOT, "%,d", count), String.join(", ", from)});
            w1 = Math.max(w1, layer.length() + 2);
            w2 = Math.max(w2, shapes.length() + 2);
        }
        StringBuilder sb = new StringBuilder();
        String fmt = "%-" + w1 + "s%-" + w2 + "s%-" + w3 + "s%s%n";
        int width = w1 + w2 + w3 + 30;
        sb.append("Model: \"").append(m.name()).append("\"\n");
        sb.append("_".repeat(width)).append('\n');
        sb.append(String.format(Locale.ROOT, fmt, "Layer (type)", "Output Shape", "Param #", "Connected to"));
        sb.append("=".repeat(width)).append('\n');
        for (String[] r : rows) sb.append(String.format(Locale.ROOT, fmt, (Object[]) r));
        sb.append("=".repeat(width)).append('\n');
        sb.append(String.format(Locale.ROOT, "Total params: %,d%n", m.totalParams()));
        sb.append(String.format(Locale.ROOT, "Trainable params: %,d%n", m.trainableParams()));
        sb.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", m.nonTrainableParams()));
        return sb.toString();
    }

    static String batchShape(Shape s) {
        StringBuilder sb = new StringBuilder("(None");
        for (int d : s.dims()) sb.append(", ").append(d);
        return sb.append(')').toString();
    }
}
