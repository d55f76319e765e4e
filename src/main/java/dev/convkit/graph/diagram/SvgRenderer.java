package dev.convkit.graph.diagram;

import java.util.Locale;

/**
 * Writes a laid-out {@link BoxGraph} as SVG text: one {@code <g class="box">} per box (rounded rectangle, name, type
 * and shape) and one {@code <g class="edge">} per link (polyline plus a filled arrowhead), edges drawn first so boxes
 * cover their ends. Colours and fonts are those of {@link Style}, as in the PNG.
 */
final class SvgRenderer {
    private SvgRenderer() {}

    static String render(BoxGraph g, Layout layout, Style style) {
        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%s\" height=\"%s\" viewBox=\"0 0 %s %s\" "
                        + "font-family=\"%s\">\n", num(layout.width()), num(layout.height()), num(layout.width()), num(layout.height()),
                Style.FONT_FAMILY_SVG));
        sb.append("<title>").append(esc(g.title())).append("</title>\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"").append(Style.hex(Style.BACKGROUND)).append("\"/>\n");
        String edge = Style.hex(Style.EDGE);
        for (int i = 0; i < g.links().size(); i++) {
            BoxGraph.Link l = g.links().get(i);
            double[] p = layout.paths().get(i);
            double[] head = Arrows.head(p);
            sb.append("<g class=\"edge\" data-from=\"").append(l.from()).append("\" data-to=\"").append(l.to()).append("\">");
            sb.append("<polyline fill=\"none\" stroke=\"").append(edge).append("\" stroke-width=\"1.2\" points=\"");
            double[] line = Arrows.shortened(p);
            for (int k = 0; k < line.length; k += 2) sb.append(k == 0 ? "" : " ").append(num(line[k])).append(',').append(num(line[k + 1]));
            sb.append("\"/><polygon fill=\"").append(edge).append("\" points=\"");
            for (int k = 0; k < head.length; k += 2) sb.append(k == 0 ? "" : " ").append(num(head[k])).append(',').append(num(head[k + 1]));
            sb.append("\"/></g>\n");
        }
        for (int i = 0; i < g.boxes().size(); i++) {
            BoxGraph.Box b = g.boxes().get(i);
            Layout.Rect r = layout.boxes().get(i);
            double cx = r.x() + r.w() / 2;
            sb.append("<g class=\"box\" data-index=\"").append(i).append("\">");
            sb.append(String.format(Locale.ROOT, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" rx=\"%s\" fill=\"%s\" stroke=\"%s\"/>",
                    num(r.x()), num(r.y()), num(r.w()), num(r.h()), num(Style.CORNER), Style.hex(Style.fill(b.kind())), Style.hex(Style.BORDER)));
            sb.append(String.format(Locale.ROOT, "<text x=\"%s\" y=\"%s\" text-anchor=\"middle\" font-size=\"%s\" font-weight=\"bold\" fill=\"%s\">%s</text>",
                    num(cx), num(r.y() + style.nameBaseline()), num(Style.NAME_SIZE), Style.hex(Style.NAME_TEXT), esc(b.name())));
            sb.append(String.format(Locale.ROOT, "<text x=\"%s\" y=\"%s\" text-anchor=\"middle\" font-size=\"%s\" xml:space=\"preserve\">"
                            + "<tspan fill=\"%s\">%s</tspan><tspan fill=\"%s\">%s%s</tspan></text>",
                    num(cx), num(r.y() + style.detailBaseline()), num(Style.DETAIL_SIZE), Style.hex(Style.TYPE_TEXT), esc(b.type()),
                    Style.hex(Style.SHAPE_TEXT), Style.TYPE_SHAPE_GAP, esc(b.shape())));
            sb.append("</g>\n");
        }
        return sb.append("</svg>\n").toString();
    }

    private static String num(double v) {
        String s = String.format(Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
