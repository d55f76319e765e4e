package dev.convkit.graph.diagram;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Draws a {@link BoxGraph} without Graphviz: layout by the Eclipse Layout Kernel ({@link LayeredLayout}), then SVG
 * text ({@link SvgRenderer}) or a PNG by Java2D ({@link PngRenderer}). The entry point of this package.
 */
public final class Diagrams {
    private Diagrams() {}

    /** Boxes and edge paths for {@code g}, top to bottom. */
    public static Layout layout(BoxGraph g) { return LayeredLayout.place(g, new Style()); }

    public static String svg(BoxGraph g, Layout layout) { return SvgRenderer.render(g, layout, new Style()); }

    public static BufferedImage png(BoxGraph g, Layout layout) { return PngRenderer.render(g, layout, new Style()); }

    /** Pixel width and height of {@link #png} for this layout. */
    public static int[] pngSize(Layout layout) {
        double s = PngRenderer.scale(layout);
        return new int[] {PngRenderer.pixels(layout.width(), s), PngRenderer.pixels(layout.height(), s)};
    }

    /** Lays out {@code g} and writes it to {@code file} as {@code "svg"} or {@code "png"}. */
    public static void write(BoxGraph g, Path file, String format) throws IOException {
        Layout layout = layout(g);
        switch (format) {
            case "svg" -> Files.writeString(file, svg(g, layout), StandardCharsets.UTF_8);
            case "png" -> {
                if (!ImageIO.write(png(g, layout), "png", file.toFile())) throw new IOException("no PNG writer in this Java runtime");
            }
            default -> throw new IllegalArgumentException("diagram format '" + format + "': expected svg or png");
        }
    }
}
