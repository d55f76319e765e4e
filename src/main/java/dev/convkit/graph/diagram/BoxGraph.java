package dev.convkit.graph.diagram;

import java.util.List;

/**
 * What a diagram shows, before layout: one box per layer and one link per connection, in topological order (every
 * link goes from a lower box index to a higher one). Knows nothing of models; {@code graph.ModelDiagram} builds it.
 */
public record BoxGraph(String title, List<Box> boxes, List<Link> links) {
    /** Fill colour class of a box: inputs, layers with parameters, merges of several inputs, the rest. */
    public enum Kind { INPUT, WEIGHTED, MERGE, PLAIN }

    /** A layer's box: its name (first line), Keras type and batch output shape (second line). */
    public record Box(String name, String type, String shape, Kind kind) {}

    /** Data flow from box {@code from} to box {@code to}; {@code from < to}. */
    public record Link(int from, int to) {}

    public BoxGraph {
        boxes = List.copyOf(boxes);
        links = List.copyOf(links);
        for (Link l : links) {
            if (l.from() < 0 || l.to() >= boxes.size() || l.from() >= l.to()) {
                throw new IllegalArgumentException("link " + l.from() + " -> " + l.to() + " of " + boxes.size()
                        + " boxes: links must go from a box to a later one in topological order");
            }
        }
    }
}
