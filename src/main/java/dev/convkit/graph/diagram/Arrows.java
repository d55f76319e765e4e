package dev.convkit.graph.diagram;

/** Arrowheads at the end of an edge polyline (x0, y0, x1, y1, ...), the same in SVG and PNG. */
final class Arrows {
    private Arrows() {}

    /** The triangle x, y of tip, left and right corners, pointing along the last segment. */
    static double[] head(double[] p) {
        int n = p.length;
        double tx = p[n - 2], ty = p[n - 1];
        double[] d = lastDirection(p);
        double bx = tx - d[0] * Style.ARROW_LENGTH, by = ty - d[1] * Style.ARROW_LENGTH;
        double nx = -d[1] * Style.ARROW_HALF_WIDTH, ny = d[0] * Style.ARROW_HALF_WIDTH;
        return new double[] {tx, ty, bx + nx, by + ny, bx - nx, by - ny};
    }

    /** The polyline ending at the arrowhead's base instead of its tip, so the line does not show through the tip. */
    static double[] shortened(double[] p) {
        double[] q = p.clone();
        int n = q.length;
        double[] d = lastDirection(p);
        double len = Math.hypot(p[n - 2] - p[n - 4], p[n - 1] - p[n - 3]);
        double cut = Math.min(Style.ARROW_LENGTH * 0.8, len);
        q[n - 2] -= d[0] * cut;
        q[n - 1] -= d[1] * cut;
        return q;
    }

    /** Unit vector of the last segment of non-zero length; straight down if every segment is a point. */
    private static double[] lastDirection(double[] p) {
        for (int k = p.length - 4; k >= 0; k -= 2) {
            double dx = p[k + 2] - p[k], dy = p[k + 3] - p[k + 1];
            double len = Math.hypot(dx, dy);
            if (len > 1e-9) return new double[] {dx / len, dy / len};
        }
        return new double[] {0, 1};
    }
}
