package dev.convkit.graph.diagram;

import java.awt.Color;
import java.awt.Font;
import java.awt.font.FontRenderContext;

/**
 * Fonts, sizes and colours shared by the layout (box sizes come from measured text) and both renderers, so the SVG
 * and the PNG draw the same boxes. A box holds two centred lines: the layer name in bold, then "Type  (None, C, H, W)".
 * Text is measured with Java2D's SansSerif (no display needed); SVG viewers may substitute a narrower or wider sans
 * font, which the horizontal padding absorbs.
 */
final class Style {
    static final String FONT_FAMILY_SVG = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif";
    static final float NAME_SIZE = 12f;
    static final float DETAIL_SIZE = 11f;
    static final double PAD_X = 12;
    static final double PAD_Y = 6;
    static final double LINE_GAP = 3;
    static final double MIN_WIDTH = 120;
    static final double MARGIN = 16;            // around the whole drawing
    static final double ARROW_LENGTH = 7;
    static final double ARROW_HALF_WIDTH = 3.5;
    static final double CORNER = 6;             // rounded box corners
    static final String TYPE_SHAPE_GAP = "  ";

    static final Color EDGE = new Color(0x55, 0x5b, 0x66);
    static final Color BORDER = new Color(0x4a, 0x50, 0x5a);
    static final Color NAME_TEXT = new Color(0x1d, 0x21, 0x27);
    static final Color TYPE_TEXT = new Color(0x2e, 0x5c, 0x9e);
    static final Color SHAPE_TEXT = new Color(0x50, 0x56, 0x60);
    static final Color BACKGROUND = Color.WHITE;

    final Font nameFont = new Font(Font.SANS_SERIF, Font.BOLD, 1).deriveFont(NAME_SIZE);
    final Font detailFont = new Font(Font.SANS_SERIF, Font.PLAIN, 1).deriveFont(DETAIL_SIZE);
    private final FontRenderContext frc = new FontRenderContext(null, true, true);

    static Color fill(BoxGraph.Kind kind) {
        return switch (kind) {
            case INPUT -> new Color(0xd6, 0xe6, 0xfa);
            case WEIGHTED -> new Color(0xe3, 0xf2, 0xe1);
            case MERGE -> new Color(0xfd, 0xe4, 0xc4);
            case PLAIN -> new Color(0xf3, 0xf4, 0xf6);
        };
    }

    static String hex(Color c) { return String.format("#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue()); }

    double nameWidth(String s) { return nameFont.getStringBounds(s, frc).getWidth(); }

    double detailWidth(String s) { return detailFont.getStringBounds(s, frc).getWidth(); }

    double nameAscent() { return nameFont.getLineMetrics("Ag", frc).getAscent(); }

    double nameHeight() { return nameFont.getLineMetrics("Ag", frc).getHeight(); }

    double detailAscent() { return detailFont.getLineMetrics("Ag", frc).getAscent(); }

    double detailHeight() { return detailFont.getLineMetrics("Ag", frc).getHeight(); }

    /** The second line of a box. */
    static String detail(BoxGraph.Box b) { return b.type() + TYPE_SHAPE_GAP + b.shape(); }

    double boxWidth(BoxGraph.Box b) {
        double text = Math.max(nameWidth(b.name()), detailWidth(detail(b)));
        return Math.max(MIN_WIDTH, Math.ceil(text + 2 * PAD_X));
    }

    double boxHeight() { return Math.ceil(2 * PAD_Y + nameHeight() + LINE_GAP + detailHeight()); }

    /** Baseline of the name line, measured from the box's top. */
    double nameBaseline() { return PAD_Y + nameAscent(); }

    /** Baseline of the detail line, measured from the box's top. */
    double detailBaseline() { return PAD_Y + nameHeight() + LINE_GAP + detailAscent(); }
}
