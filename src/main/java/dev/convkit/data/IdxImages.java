package dev.convkit.data;

/**
 * Images read from an IDX file, still as stored: uint8 pixels (read them with {@code & 0xff}), row-major per image.
 *
 * @param count  images held here (may be fewer than the file's header count when a limit was given)
 * @param rows   height in pixels
 * @param cols   width in pixels
 * @param pixels {@code count * rows * cols} bytes, [N, H, W]
 */
public record IdxImages(int count, int rows, int cols, byte[] pixels) {

    public IdxImages {
        if ((long) count * rows * cols != pixels.length) {
            throw new IllegalArgumentException(count + " images of " + rows + " x " + cols + " need " + ((long) count * rows * cols)
                    + " bytes, the array holds " + pixels.length);
        }
    }
}
