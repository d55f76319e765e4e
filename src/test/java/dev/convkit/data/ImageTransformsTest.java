package dev.convkit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The augmentation pixel operations on small images with hand-computed expectations. */
class ImageTransformsTest {

    /** 2 channels of 3 x 4; value = 100 c + 10 y + x. */
    private static float[] image() {
        float[] a = new float[2 * 3 * 4];
        for (int c = 0; c < 2; c++) for (int y = 0; y < 3; y++) for (int x = 0; x < 4; x++) a[(c * 3 + y) * 4 + x] = 100 * c + 10 * y + x;
        return a;
    }

    @Test
    void flipMirrorsEachRowAndTwiceIsIdentity() {
        float[] src = image();
        float[] once = new float[src.length];
        float[] twice = new float[src.length];
        ImageTransforms.flipHorizontal(src, 0, once, 0, 2, 3, 4);
        assertArrayEquals(new float[] {3, 2, 1, 0}, java.util.Arrays.copyOfRange(once, 0, 4));
        assertArrayEquals(new float[] {123, 122, 121, 120}, java.util.Arrays.copyOfRange(once, 20, 24));
        ImageTransforms.flipHorizontal(once, 0, twice, 0, 2, 3, 4);
        assertArrayEquals(src, twice);
    }

    @Test
    void integerShiftMovesContentAndFillsWithTheNearestEdge() {
        float[] dst = new float[24];
        // down 1, left 2: dst(y, x) = src(clamp(y - 1), clamp(x + 2))
        ImageTransforms.shift(image(), 0, dst, 0, 2, 3, 4, 1.0, -2.0);
        float[] expectedChannel0 = {
                2, 3, 3, 3,     // row 0 repeats source row 0 (top edge), columns 2, 3, then the right edge 3, 3
                2, 3, 3, 3,     // row 1 = source row 0
                12, 13, 13, 13, // row 2 = source row 1
        };
        assertArrayEquals(expectedChannel0, java.util.Arrays.copyOfRange(dst, 0, 12));
        assertEquals(102, dst[12]);
        assertEquals(113, dst[23]);
        float[] same = new float[24];
        ImageTransforms.shift(image(), 0, same, 0, 2, 3, 4, 0, 0);
        assertArrayEquals(image(), same);
    }

    @Test
    void fractionalShiftInterpolatesBilinearly() {
        float[] dst = new float[24];
        ImageTransforms.shift(image(), 0, dst, 0, 2, 3, 4, 0.0, 0.5);
        // dst(y, x) = src(y, x - 0.5): halfway between columns x-1 and x; column 0 clamps to the edge value
        assertArrayEquals(new float[] {0, 0.5f, 1.5f, 2.5f}, java.util.Arrays.copyOfRange(dst, 0, 4), 1e-6f);
        ImageTransforms.shift(image(), 0, dst, 0, 2, 3, 4, -0.25, 0.0);
        // dst(y, x) = src(y + 0.25, x): row value 10 y + 2.5 except the bottom row, clamped to row 2
        assertEquals(2.5f, dst[0], 1e-6f);
        assertEquals(20f, dst[8], 1e-6f);
    }

    @Test
    void padCropKeepsTheShapeZeroFillsAndCentreIsIdentity() {
        float[] src = image();
        float[] dst = new float[24];
        ImageTransforms.padCrop(src, 0, dst, 0, 2, 3, 4, 2, 2, 2);
        assertArrayEquals(src, dst);
        java.util.Arrays.fill(dst, -1f);
        ImageTransforms.padCrop(src, 0, dst, 0, 2, 3, 4, 2, 0, 3); // window starts 2 rows up, 1 column right
        // dst(y, x) = src(y - 2, x + 1), 0 outside
        float[] expectedChannel0 = {0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0};
        assertArrayEquals(expectedChannel0, java.util.Arrays.copyOfRange(dst, 0, 12));
        assertEquals(24, dst.length);
    }

    @Test
    void augmentIsReproducibleFromTheGeneratorAndKeepsValuesInRange() {
        Augmentation a = new Augmentation(0.25, 0.3, true, 1);
        float[] x1 = image(), x2 = image();
        float[] scratch = new float[24];
        ImageTransforms.augment(a, new SplittableRandom(5), x1, 0, scratch, 2, 3, 4);
        ImageTransforms.augment(a, new SplittableRandom(5), x2, 0, scratch, 2, 3, 4);
        assertArrayEquals(x1, x2);
        for (float v : x1) assertEquals(true, v >= 0 && v <= 123, "value " + v);
        float[] x3 = image();
        boolean differs = false;
        for (int seed = 6; seed < 12 && !differs; seed++) {
            x3 = image();
            ImageTransforms.augment(a, new SplittableRandom(seed), x3, 0, scratch, 2, 3, 4);
            differs = !java.util.Arrays.equals(x1, x3);
        }
        assertEquals(true, differs, "other seeds give other images");
    }

    @Test
    void cutoutZeroesTheSquareInEveryChannelClippedAtTheBorders() {
        float[] x = image();
        ImageTransforms.cutout(x, 0, 2, 3, 4, 2, 1, 2);     // side 2 centred on (1, 2): rows 0-1, columns 1-2
        float[] expected = image();
        for (int c = 0; c < 2; c++) for (int y = 0; y < 2; y++) for (int xx = 1; xx < 3; xx++) expected[(c * 3 + y) * 4 + xx] = 0;
        assertArrayEquals(expected, x);
        x = image();
        ImageTransforms.cutout(x, 0, 2, 3, 4, 3, 2, 3);     // side 3 centred on the corner (2, 3): rows 1-2, column 2-3 (4 clipped)
        expected = image();
        for (int c = 0; c < 2; c++) for (int y = 1; y < 3; y++) for (int xx = 2; xx < 4; xx++) expected[(c * 3 + y) * 4 + xx] = 0;
        assertArrayEquals(expected, x);
        float[] big = image();
        ImageTransforms.cutout(big, 0, 2, 3, 4, 9, 0, 0);   // larger than the image: all of it
        assertArrayEquals(new float[24], big);
    }

    @Test
    void augmentDrawsTheCutoutCentreLastAndLeavesEarlierDrawsAsTheyWere() {
        Augmentation without = new Augmentation(0.25, 0.3, true, 1), with = without.withCutout(2);
        float[] a = image(), b = image(), scratch = new float[24];
        SplittableRandom rng = new SplittableRandom(5);
        ImageTransforms.augment(without, rng, a, 0, scratch, 2, 3, 4);
        int cy = rng.nextInt(3), cx = rng.nextInt(4);       // the two draws the cutout takes next
        ImageTransforms.cutout(a, 0, 2, 3, 4, 2, cy, cx);
        ImageTransforms.augment(with, new SplittableRandom(5), b, 0, scratch, 2, 3, 4);
        assertArrayEquals(a, b);
        int zeros = 0;
        for (float v : b) zeros += v == 0 ? 1 : 0;
        assertEquals(true, zeros >= 2, "at least the clipped square's pixels of both channels, got " + zeros);
    }

    @Test
    void augmentationRejectsBadRanges() {
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(1.0, 0, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(0, -0.1, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(0, 0, false, -1));
        assertEquals("cutout must be >= 0 (the square's side in pixels, 0 = off), got -2",
                assertThrows(IllegalArgumentException.class, () -> Augmentation.NONE.withCutout(-2)).getMessage());
        assertEquals(false, Augmentation.NONE.withCutout(8).isNone());
        assertEquals("shift 0.1 x 0.1, horizontal flip, cutout 8", Augmentation.shiftAndFlip(0.1).withCutout(8).describe());
        assertEquals("pad-and-crop 4, horizontal flip", Augmentation.padCropAndFlip(4).describe());
        assertEquals("none", Augmentation.NONE.describe());
        assertEquals(new Augmentation(0, 0, true, 4, 0), Augmentation.padCropAndFlip(4));
        assertEquals(true, Augmentation.NONE.isNone());
        assertEquals(new Augmentation(0.1, 0.1, true, 0), Augmentation.shiftAndFlip(0.1));
        assertEquals(new Augmentation(0, 0, true, 4), Augmentation.padCropAndFlip(4));
    }
}
