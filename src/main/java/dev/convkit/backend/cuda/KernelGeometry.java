package dev.convkit.backend.cuda;

/** Launch shapes of our kernels, matching the geometry each kernel's header comment in native/kernels documents. */
final class KernelGeometry {
    /** Threads per block of every element-wise (grid-stride) kernel. */
    static final int BLOCK = 256;
    /** Enough blocks to fill any current GPU several times over; grid-stride loops cover the rest. */
    static final long MAX_GRID = 8192;
    /** Threads of the single-block reductions (l2_penalty_sum_f32, mean_f32). */
    static final int REDUCTION_BLOCK = 1024;
    /** Most blocks of a two-pass reduction's first pass (l2_penalty_blocks_f32): one double partial each. */
    static final int MAX_PARTIALS = 1024;

    private KernelGeometry() {}

    /** Blocks for a grid-stride loop over n elements: min(ceil(n / 256), 8192), at least 1. */
    static int elementwiseGrid(long n) { return (int) Math.max(1, Math.min((n + BLOCK - 1) / BLOCK, MAX_GRID)); }

    /** Blocks of a two-pass reduction's first pass over n elements: min(ceil(n / 256), 1024), at least 1. */
    static int partialsGrid(long n) { return (int) Math.max(1, Math.min((n + BLOCK - 1) / BLOCK, MAX_PARTIALS)); }

    /** Blocks when each block handles {@code perBlock} items (one thread or one warp each). */
    static int gridFor(long items, int perBlock) {
        long blocks = (items + perBlock - 1) / perBlock;
        if (blocks > Integer.MAX_VALUE) throw new IllegalArgumentException(items + " items need more than 2^31 blocks");
        return (int) Math.max(1, blocks);
    }

    /** The smallest multiple of 32 covering n, capped at {@code max} (block size of row and single-block kernels). */
    static int warpMultiple(long n, int max) { return (int) Math.min(max, Math.max(32, (n + 31) / 32 * 32)); }

    /** {@code bytes} rounded up to the engine alignment (256), for laying out scratch and saved regions. */
    static long align(long bytes) { return (bytes + CudaBackend.ALIGNMENT - 1) / CudaBackend.ALIGNMENT * CudaBackend.ALIGNMENT; }
}
