package dev.convkit.graph.diagram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.graph.Model;
import dev.convkit.graph.ModelDiagram;
import dev.convkit.graph.Node;
import dev.convkit.models.ModelRegistry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The java diagram engine (ELK layout, SVG text, Java2D PNG), which needs no Graphviz. Geometry is read back from the
 * written SVG itself: one box per layer, one edge per connection starting on its source box's bottom and ending on
 * its target box's top, every edge going down, no two boxes overlapping; the PNG decodes at the size the layout asks
 * for and shows each box's fill colour where the SVG put the box.
 */
class DiagramsTest {
    @TempDir Path tmp;

    /** A box's rectangle as the SVG states it, and the edges as (from, to, start x/y, tip x/y). */
    private record Svg(List<Layout.Rect> boxes, List<double[]> edges) {}

    @ParameterizedTest
    @ValueSource(strings = {"resnet20v1", "y_network"})
    void svgHasOneBoxPerLayerAndOneDownwardEdgePerConnection(String name) throws Exception {
        Model m = ModelRegistry.create(name);
        Path file = tmp.resolve(name + ".svg");
        ModelDiagram.write(m, file);
        Svg svg = parse(Files.readString(file));

        assertEquals(m.nodes().size(), svg.boxes().size(), "one box per layer");
        int connections = 0;
        for (Node n : m.nodes()) connections += n.inputs().size();
        assertEquals(connections, svg.edges().size(), "one edge per connection");
        if (name.equals("resnet20v1")) {
            assertEquals(72, svg.boxes().size());
            assertEquals(80, svg.edges().size());   // 71 chain links + 9 residual shortcuts
        } else {
            assertEquals(24, svg.boxes().size());
            assertEquals(23, svg.edges().size());   // two inputs: a tree, so boxes - 1
        }

        List<String> names = m.nodes().stream().map(n -> n.layer().name()).toList();
        BoxGraph g = ModelDiagram.boxes(m);
        for (int i = 0; i < svg.edges().size(); i++) {
            double[] e = svg.edges().get(i);
            int from = (int) e[0], to = (int) e[1];
            assertEquals(g.links().get(i).from(), from);
            assertEquals(g.links().get(i).to(), to);
            assertTrue(m.nodes().get(to).inputs().stream().anyMatch(t -> t.node() == m.nodes().get(from)),
                    names.get(from) + " does not feed " + names.get(to));
            Layout.Rect src = svg.boxes().get(from), dst = svg.boxes().get(to);
            String what = names.get(from) + " -> " + names.get(to);
            assertTrue(dst.y() >= src.bottom() + 10, what + " must go downward: " + src + " then " + dst);
            assertEquals(src.bottom(), e[3], 0.6, what + " starts on the source's bottom side");
            assertTrue(e[2] >= src.x() && e[2] <= src.x() + src.w(), what + " starts within the source's width");
            assertEquals(dst.y(), e[5], 0.6, what + " ends with its arrow tip on the target's top side");
            assertTrue(e[4] >= dst.x() && e[4] <= dst.x() + dst.w(), what + " ends within the target's width");
        }
        for (int i = 0; i < svg.boxes().size(); i++) {
            for (int j = i + 1; j < svg.boxes().size(); j++) {
                assertFalse(svg.boxes().get(i).overlaps(svg.boxes().get(j)), names.get(i) + " overlaps " + names.get(j));
            }
        }
        assertTrue(Files.readString(file).contains(">" + names.get(1) + "</text>"), "box text names the layer");
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet20v1", "y_network"})
    void pngDecodesAtTheLayoutSizeWithEachBoxWhereTheSvgPutsIt(String name) throws Exception {
        Model m = ModelRegistry.create(name);
        BoxGraph g = ModelDiagram.boxes(m);
        Layout layout = Diagrams.layout(g);
        Path file = tmp.resolve(name + ".png");
        ModelDiagram.write(m, file);
        BufferedImage img = ImageIO.read(file.toFile());
        int[] size = Diagrams.pngSize(layout);
        assertEquals(size[0], img.getWidth());
        assertEquals(size[1], img.getHeight());
        assertEquals(Math.ceil(layout.width() * 2), img.getWidth(), "small models are drawn at scale 2");

        // The layout is deterministic: the SVG written separately has the same boxes.
        Svg svg = parse(Diagrams.svg(g, layout));
        double s = PngRenderer.scale(layout);
        for (int i = 0; i < g.boxes().size(); i++) {
            Layout.Rect r = svg.boxes().get(i);
            assertEquals(layout.boxes().get(i).x(), r.x(), 0.06);
            // Left of the text, halfway down: the box's fill.
            int px = (int) Math.round((r.x() + 4) * s), py = (int) Math.round((r.y() + r.h() / 2) * s);
            assertEquals(Style.fill(g.boxes().get(i).kind()).getRGB(), img.getRGB(px, py),
                    g.boxes().get(i).name() + " at (" + px + ", " + py + ")");
            // Just left of the box (edges keep 14 units away): the background, so the box is not drawn wider.
            assertEquals(Style.BACKGROUND.getRGB(), img.getRGB((int) Math.round((r.x() - 3) * s), py), g.boxes().get(i).name());
        }
    }

    @Test void denseNetBc100LaysOutQuicklyAndStaysReadable() {
        Model m = ModelRegistry.create("densenet_bc");
        BoxGraph g = ModelDiagram.boxes(m);
        Diagrams.layout(ModelDiagram.boxes(ModelRegistry.create("y_network")));   // ELK's one-time start-up
        long t0 = System.nanoTime();
        Layout layout = Diagrams.layout(g);
        double ms = (System.nanoTime() - t0) / 1e6;
        System.out.printf(Locale.ROOT, "DenseNet-BC-100 diagram: %d boxes, %d edges, layout %.0f ms, %.0f x %.0f units, PNG %d x %d%n",
                g.boxes().size(), g.links().size(), ms, layout.width(), layout.height(), Diagrams.pngSize(layout)[0], Diagrams.pngSize(layout)[1]);
        assertEquals(m.nodes().size(), layout.boxes().size());
        assertTrue(ms < 20_000, "layout of " + g.boxes().size() + " boxes took " + ms + " ms");
        for (BoxGraph.Link l : g.links()) {
            assertTrue(layout.boxes().get(l.to()).y() > layout.boxes().get(l.from()).bottom(), "edge " + l + " goes upward");
        }
        // Tall models are scaled down to fit 32,000 pixels, but text stays at least at its size in the SVG.
        int[] size = Diagrams.pngSize(layout);
        assertTrue(size[1] <= PngRenderer.MAX_SIDE && (double) size[0] * size[1] <= PngRenderer.MAX_PIXELS, size[0] + " x " + size[1]);
        assertTrue(PngRenderer.scale(layout) >= 1.0, "scale " + PngRenderer.scale(layout));
    }

    @Test void linksMustFollowTheTopologicalOrder() {
        BoxGraph.Box b = new BoxGraph.Box("a", "Dense", "(None, 2)", BoxGraph.Kind.WEIGHTED);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BoxGraph("m", List.of(b, b), List.of(new BoxGraph.Link(1, 0))));
        assertEquals("link 1 -> 0 of 2 boxes: links must go from a box to a later one in topological order", e.getMessage());
    }

    @Test void javaEngineRefusesFormatsItCannotDraw() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelDiagram.write(ModelRegistry.create("y_network"), tmp.resolve("y.pdf")));
        assertEquals("cannot draw " + tmp.resolve("y.pdf") + ": format 'pdf' is not one of [svg, png, dot]", e.getMessage());
        assertFalse(Files.exists(tmp.resolve("y.pdf")));
    }

    private static Svg parse(String text) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        List<Layout.Rect> boxes = new ArrayList<>();
        List<double[]> edges = new ArrayList<>();
        NodeList groups = doc.getElementsByTagNameNS("*", "g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element grp = (Element) groups.item(i);
            if (grp.getAttribute("class").equals("box")) {
                assertEquals(boxes.size(), Integer.parseInt(grp.getAttribute("data-index")));
                Element r = (Element) grp.getElementsByTagNameNS("*", "rect").item(0);
                boxes.add(new Layout.Rect(num(r, "x"), num(r, "y"), num(r, "width"), num(r, "height")));
            } else if (grp.getAttribute("class").equals("edge")) {
                double[] start = points((Element) grp.getElementsByTagNameNS("*", "polyline").item(0));
                double[] head = points((Element) grp.getElementsByTagNameNS("*", "polygon").item(0));
                edges.add(new double[] {Integer.parseInt(grp.getAttribute("data-from")), Integer.parseInt(grp.getAttribute("data-to")),
                        start[0], start[1], head[0], head[1]});
            }
        }
        return new Svg(boxes, edges);
    }

    private static double num(Element e, String attr) { return Double.parseDouble(e.getAttribute(attr)); }

    private static double[] points(Element e) {
        String[] pts = e.getAttribute("points").trim().split("[ ,]+");
        double[] p = new double[pts.length];
        for (int i = 0; i < pts.length; i++) p[i] = Double.parseDouble(pts[i]);
        return p;
    }
}
