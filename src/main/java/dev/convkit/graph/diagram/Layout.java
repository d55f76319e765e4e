package dev.convkit.graph.diagram;

import java.util.List;

/**
 * Where everything of a {@link BoxGraph} goes, in diagram units (one unit is one pixel of a PNG at scale 1): the
 * boxes' rectangles (same order as the graph's boxes) and each link's polyline (same order as its links) from the
 * source box's bottom to the target box's top. The origin is the top-left corner; y grows downward.
 */
public record Layout(double width, double height, List<Rect> boxes, List<double[]> paths) {
    /** A box's rectangle: top-left corner, width, height. */
    public record Rect(double x, double y, double w, double h) {
        public double bottom() { return y + h; }

        public boolean overlaps(Rect o) { return x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h; }
    }

    public Layout {
        boxes = List.copyOf(boxes);
        paths = List.copyOf(paths);
    }
}
