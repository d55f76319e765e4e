package dev.convkit.graph.diagram;

import java.util.ArrayList;
import java.util.List;
import org.eclipse.elk.alg.layered.options.LayeredOptions;
import org.eclipse.elk.alg.layered.options.NodePlacementStrategy;
import org.eclipse.elk.alg.layered.options.OrderingStrategy;
import org.eclipse.elk.core.RecursiveGraphLayoutEngine;
import org.eclipse.elk.core.math.ElkPadding;
import org.eclipse.elk.core.options.CoreOptions;
import org.eclipse.elk.core.options.Direction;
import org.eclipse.elk.core.options.EdgeRouting;
import org.eclipse.elk.core.util.BasicProgressMonitor;
import org.eclipse.elk.graph.ElkBendPoint;
import org.eclipse.elk.graph.ElkEdge;
import org.eclipse.elk.graph.ElkEdgeSection;
import org.eclipse.elk.graph.ElkNode;
import org.eclipse.elk.graph.util.ElkGraphUtil;

/**
 * Places the boxes of a {@link BoxGraph} top to bottom with the Eclipse Layout Kernel's layered algorithm (layer
 * assignment, crossing minimisation, node placement, orthogonal edge routing). This is the only class that touches
 * ELK, so ELK's classes load when a diagram is drawn and never otherwise.
 *
 * <p>Choices: the model order (topological, as the model lists its layers) breaks ties in crossing minimisation, so a
 * residual block keeps its main path on one side and its shortcut on the other; network-simplex node placement keeps
 * the long main path of a CNN on one straight vertical line. ELK's random seed is fixed, so the same model gives the
 * same drawing.
 */
final class LayeredLayout {
    private LayeredLayout() {}

    static Layout place(BoxGraph g, Style style) {
        ElkNode root = ElkGraphUtil.createGraph();
        root.setProperty(CoreOptions.ALGORITHM, LayeredOptions.ALGORITHM_ID);
        root.setProperty(LayeredOptions.DIRECTION, Direction.DOWN);
        root.setProperty(LayeredOptions.EDGE_ROUTING, EdgeRouting.ORTHOGONAL);
        root.setProperty(LayeredOptions.NODE_PLACEMENT_STRATEGY, NodePlacementStrategy.NETWORK_SIMPLEX);
        root.setProperty(LayeredOptions.CONSIDER_MODEL_ORDER_STRATEGY, OrderingStrategy.NODES_AND_EDGES);
        root.setProperty(LayeredOptions.SPACING_NODE_NODE, 28.0);
        root.setProperty(LayeredOptions.SPACING_NODE_NODE_BETWEEN_LAYERS, 26.0);
        root.setProperty(LayeredOptions.SPACING_EDGE_NODE_BETWEEN_LAYERS, 12.0);
        root.setProperty(LayeredOptions.SPACING_EDGE_EDGE_BETWEEN_LAYERS, 8.0);
        root.setProperty(LayeredOptions.SPACING_EDGE_NODE, 14.0);
        root.setProperty(LayeredOptions.SPACING_EDGE_EDGE, 8.0);
        root.setProperty(CoreOptions.RANDOM_SEED, 1);
        root.setProperty(CoreOptions.PADDING, new ElkPadding(Style.MARGIN));

        double h = style.boxHeight();
        List<ElkNode> nodes = new ArrayList<>(g.boxes().size());
        for (BoxGraph.Box b : g.boxes()) {
            ElkNode n = ElkGraphUtil.createNode(root);
            n.setDimensions(style.boxWidth(b), h);
            nodes.add(n);
        }
        List<ElkEdge> edges = new ArrayList<>(g.links().size());
        for (BoxGraph.Link l : g.links()) edges.add(ElkGraphUtil.createSimpleEdge(nodes.get(l.from()), nodes.get(l.to())));

        new RecursiveGraphLayoutEngine().layout(root, new BasicProgressMonitor());

        List<Layout.Rect> rects = new ArrayList<>(nodes.size());
        for (ElkNode n : nodes) rects.add(new Layout.Rect(n.getX(), n.getY(), n.getWidth(), n.getHeight()));
        List<double[]> paths = new ArrayList<>(edges.size());
        for (ElkEdge e : edges) paths.add(path(e));
        return new Layout(root.getWidth(), root.getHeight(), rects, paths);
    }

    /** The edge's one section as x0, y0, x1, y1, ...: start on the source's border, bend points, end on the target's. */
    private static double[] path(ElkEdge e) {
        ElkEdgeSection s = e.getSections().get(0);
        double[] p = new double[4 + 2 * s.getBendPoints().size()];
        p[0] = s.getStartX();
        p[1] = s.getStartY();
        int k = 2;
        for (ElkBendPoint b : s.getBendPoints()) {
            p[k++] = b.getX();
            p[k++] = b.getY();
        }
        p[k++] = s.getEndX();
        p[k] = s.getEndY();
        return p;
    }
}
