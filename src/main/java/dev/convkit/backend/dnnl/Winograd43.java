package dev.convkit.backend.dnnl;

/**
 * The transform matrices of Winograd's F(4x4, 3x3) (Lavin and Gray 2016, interpolation points 0, ±1, ±2, ∞), for
 * cross-correlation as convolution layers compute it: a 4x4 output tile of a 3x3 filter g over a 6x6 input tile d is
 * {@code Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A}. Flattened row-major over tile positions, the two-sided products become
 * Kronecker products: {@code vec(Bᵀ d B) = BB · vec(d)} with BB = Bᵀ ⊗ Bᵀ [36, 36], likewise GG = G ⊗ G [36, 9] and
 * AA = Aᵀ ⊗ Aᵀ [16, 36]. All are row-major f32.
 */
final class Winograd43 {
    private Winograd43() {}

    private static final double[][] B_T = {
        {4, 0, -5, 0, 1, 0},
        {0, -4, -4, 1, 1, 0},
        {0, 4, -4, -1, 1, 0},
        {0, -2, -1, 2, 1, 0},
        {0, 2, -1, -2, 1, 0},
        {0, 4, 0, -5, 0, 1},
    };

    private static final double[][] G = {
        {1 / 4.0, 0, 0},
        {-1 / 6.0, -1 / 6.0, -1 / 6.0},
        {-1 / 6.0, 1 / 6.0, -1 / 6.0},
        {1 / 24.0, 1 / 12.0, 1 / 6.0},
        {1 / 24.0, -1 / 12.0, 1 / 6.0},
        {0, 0, 1},
    };

    private static final double[][] A_T = {
        {1, 1, 1, 1, 1, 0},
        {0, 1, -1, 2, -2, 0},
        {0, 1, 1, 4, 4, 0},
        {0, 1, -1, 8, -8, 1},
    };

    /** Bᵀ ⊗ Bᵀ [36, 36]: input tile (a, b) → transform position (ξ, ν). */
    static final float[] BB = kron(B_T, B_T);

    /** G ⊗ G [36, 9]: filter tap (kh, kw) → transform position. */
    static final float[] GG = kron(G, G);

    /** GG with its taps reversed, GG[ξν][8 − t]: the 180°-rotated filter that a data gradient convolves with. */
    static final float[] GG_FLIPPED = reverseColumns(GG, 36, 9);

    /** Aᵀ ⊗ Aᵀ [16, 36]: transform position → output pixel (p, q). */
    static final float[] AA = kron(A_T, A_T);

    /** AAᵀ [36, 16]: the output transform's adjoint, for gradients. */
    static final float[] AA_TRANSPOSED = transpose(AA, 16, 36);

    /**
     * The transform position ξν = (1, 1) (point 1 in both directions), whose column of AA is all ones: a value added
     * there reaches every output pixel of the tile once, so the bias goes in there.
     */
    static final int ALL_ONES_POSITION = 7;

    /** Row-major (x ⊗ y)[(i·rows(y) + k), (j·cols(y) + l)] = x[i][j]·y[k][l], rounded to f32 once. */
    static float[] kron(double[][] x, double[][] y) {
        int xr = x.length, xc = x[0].length, yr = y.length, yc = y[0].length;
        float[] out = new float[xr * yr * xc * yc];
        for (int i = 0; i < xr; i++) {
            for (int k = 0; k < yr; k++) {
                for (int j = 0; j < xc; j++) {
                    for (int l = 0; l < yc; l++) out[(i * yr + k) * xc * yc + j * yc + l] = (float) (x[i][j] * y[k][l]);
                }
            }
        }
        return out;
    }

    private static float[] reverseColumns(float[] m, int rows, int cols) {
        float[] out = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) out[r * cols + c] = m[r * cols + cols - 1 - c];
        }
        return out;
    }

    private static float[] transpose(float[] m, int rows, int cols) {
        float[] out = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
        }
        return out;
    }
}
