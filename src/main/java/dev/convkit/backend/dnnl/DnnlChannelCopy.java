package dev.convkit.backend.dnnl;

import dev.convkit.backend.dnnl.DnnlKernelBuilder.Mem;
import dev.convkit.tensor.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies a range of channels between two blocked tensors whose channel offsets need not be block-aligned, as a few
 * strided reorders: oneDNN's own concat and channel windows require aligned offsets (it falls back to a slow
 * reference concat otherwise), which DenseNet's growth of 12 channels never gives.
 *
 * <p>In a tensor [N, Cp/B, H·W, B] (block B, Cp = C padded), channel c sits in block c / B at lane c % B. A channel
 * range moved by a shift that is not a multiple of B splits into runs that stay within one source and one
 * destination block; runs with the same lanes in consecutive block pairs form one 4-D strided view
 * [N, blocks, H·W, lanes] on each side, so a whole copy takes at most six reorders whatever the channel count.
 * {@link #zeroPadding} then clears a destination's padded lanes from the engine's constant zeros.
 */
final class DnnlChannelCopy {
    private DnnlChannelCopy() {}

    /** A blocked 4-D tensor seen through {@code mem}: element type, N, channels (C), padded channels (Cp) and H·W. */
    record Blocked(Mem mem, DType type, long n, long channels, long padded, long hw) {}

    /** One strided copy: {@code blocks} consecutive block pairs, {@code lanes} lanes from each. */
    private record Run(long srcBlock, long srcLane, long dstBlock, long dstLane, long lanes, long blocks) {}

    /**
     * Appends reorders copying channels [from, from + count) of {@code src} to [to, to + count) of {@code dst}.
     * Channels of {@code dst} from {@code to + count} up to {@code dstLimit} may be overwritten too (they are written
     * again later, or are padding cleared afterwards): when source and destination lanes line up, the copy then
     * runs on to the end of the source's last block, so it is one reorder of whole blocks instead of two.
     */
    static void copy(DnnlKernelBuilder b, int block, Blocked src, long from, Blocked dst, long to, long count,
                     long dstLimit) {
        if (from % block == to % block) {
            long wholeBlocks = (from + count + block - 1) / block * block - from;
            count = Math.max(count, Math.min(wholeBlocks, Math.min(src.padded() - from, dstLimit - to)));
        }
        List<Run> runs = new ArrayList<>();
        long c = 0;
        while (c < count) {
            long s = from + c, d = to + c;
            long lanes = Math.min(Math.min(block - s % block, block - d % block), count - c);
            add(runs, new Run(s / block, s % block, d / block, d % block, lanes, 1));
            c += lanes;
        }
        for (Run r : runs) {
            long[] dims = {src.n(), r.blocks(), src.hw(), r.lanes()};
            Mem from0 = b.view(src.mem(), byteOffset(r.srcBlock(), r.srcLane(), src, block),
                    b.strided(src.type(), dims, strides(src, block)));
            Mem to0 = b.view(dst.mem(), byteOffset(r.dstBlock(), r.dstLane(), dst, block),
                    b.strided(dst.type(), dims, strides(dst, block)));
            b.reorder(from0, to0);
        }
    }

    /** Appends a reorder writing zero into every padded channel of {@code dst} (none when C is a block multiple). */
    static void zeroPadding(DnnlKernelBuilder b, int block, Blocked dst) {
        long lanes = dst.padded() - dst.channels();
        if (lanes == 0) return;
        long[] dims = {dst.n(), 1, dst.hw(), lanes};
        Mem zeros = b.zeros(b.strided(dst.type(), dims, new long[] {0, 0, 0, 1}));
        long last = dst.padded() / block - 1;
        Mem pads = b.view(dst.mem(), byteOffset(last, block - lanes, dst, block), b.strided(dst.type(), dims, strides(dst, block)));
        b.reorder(zeros, pads);
    }

    /** Merges {@code r} into a run it continues (same lanes, next block on both sides), else appends it. */
    private static void add(List<Run> runs, Run r) {
        for (int i = 0; i < runs.size(); i++) {
            Run q = runs.get(i);
            if (q.srcLane() == r.srcLane() && q.dstLane() == r.dstLane() && q.lanes() == r.lanes()
                    && q.srcBlock() + q.blocks() == r.srcBlock() && q.dstBlock() + q.blocks() == r.dstBlock()) {
                runs.set(i, new Run(q.srcBlock(), q.srcLane(), q.dstBlock(), q.dstLane(), q.lanes(), q.blocks() + 1));
                return;
            }
        }
        runs.add(r);
    }

    /** Element strides of [N, blocks, H·W, lanes] inside a blocked tensor. */
    private static long[] strides(Blocked t, int block) { return new long[] {t.padded() * t.hw(), t.hw() * block, block, 1}; }

    /** Byte offset of (block, lane) of sample 0, pixel 0. */
    private static long byteOffset(long blk, long lane, Blocked t, int block) { return (blk * t.hw() * block + lane) * t.type().bytes(); }
}
