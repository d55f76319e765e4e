package dev.convkit.backend.dnnl;

import static org.bytedeco.dnnl.global.dnnl.dnnl_bf16;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_forward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_create_with_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nChw16c;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nChw8c;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nhwc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_src_md;

import dev.convkit.tensor.DType;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * The format a cpu engine instance keeps 4-D activations of one element type in, the meaning of
 * {@link dev.convkit.tensor.Layout#ENGINE} for that type there. Either channel blocks of {@code block} (8 on AVX2, 16 on
 * AVX-512): a tensor [N, C, H, W] stored as [N, ⌈C/block⌉, H, W, block], where channels past C in the last block are
 * padding that oneDNN primitives assume zero in their inputs and keep zero in their outputs, and every host loop of
 * this engine writes zero too; or channels last (nhwc, {@code block} 0), which is the same arrangement with one block
 * of exactly C channels and no padding. Chosen once per engine and type by asking oneDNN's convolution which source
 * layout it prefers for a typical shape, so the choice follows the implementation that will run: f32 picks nChw16c on
 * AVX-512, while bf16 on AMX picks nhwc, the layout of its brgemm kernels.
 *
 * @param tag   oneDNN format tag ({@code dnnl_nChw8c}, {@code dnnl_nChw16c} or {@code dnnl_nhwc})
 * @param block channels per block, or 0 for channels last
 */
record DnnlBlockedFormat(int tag, int block) {

    static final DnnlBlockedFormat CHANNELS_LAST = new DnnlBlockedFormat(dnnl_nhwc, 0);

    /** Whether this is nhwc: one block of all C channels, no padding. */
    boolean channelsLast() { return block == 0; }

    /** Channels per block of a tensor with {@code channels} channels (all of them when channels last). */
    int block(long channels) { return block == 0 ? Math.toIntExact(channels) : block; }

    /** Padded channel count: C rounded up to a whole block (C itself when channels last). */
    long paddedChannels(long channels) { return block == 0 ? channels : (channels + block - 1) / block * block; }

    /** Bytes of a 4-D tensor in this format (padding included), at its element size. */
    long bytes(TensorSpec spec) {
        return spec.dim(0) * paddedChannels(spec.dim(1)) * spec.dim(2) * spec.dim(3) * (long) spec.dtype().bytes();
    }

    @Override public String toString() { return block == 0 ? "nhwc" : "nChw" + block + "c"; }

    /**
     * The format oneDNN's convolution picks for the {@code type} source of a 3x3, 32 → 32 channel convolution on this
     * machine, or null when it is none of nChw16c, nChw8c and nhwc (then tensors of that type stay canonical).
     */
    static DnnlBlockedFormat probe(dnnl_engine engine, DType type) {
        int t = type == DType.BF16 ? dnnl_bf16 : dnnl_f32;
        List<dnnl_memory_desc> descs = new ArrayList<>();
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        try {
            dnnl_memory_desc x = tagged(descs, t, new long[] {2, 32, 8, 8}, dnnl_format_tag_any);
            dnnl_memory_desc w = tagged(descs, t, new long[] {32, 32, 3, 3}, dnnl_format_tag_any);
            dnnl_memory_desc y = tagged(descs, t, new long[] {2, 32, 8, 8}, dnnl_format_tag_any);
            int status = dnnl_convolution_forward_primitive_desc_create(pd, engine, dnnl_forward_training,
                    dnnl_convolution_direct, x, w, null, y, new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1},
                    new long[] {1, 1}, null);
            if (status != 0) return null;
            dnnl_memory_desc chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
            for (int[] candidate : new int[][] {{dnnl_nChw16c, 16}, {dnnl_nChw8c, 8}, {dnnl_nhwc, 0}}) {
                dnnl_memory_desc md = tagged(descs, t, new long[] {2, 32, 8, 8}, candidate[0]);
                if (md != null && dnnl_memory_desc_equal(md, chosen) == 1) return new DnnlBlockedFormat(candidate[0], candidate[1]);
            }
            return null;
        } finally {
            if (!pd.isNull()) dnnl_primitive_desc_destroy(pd);
            for (dnnl_memory_desc md : descs) dnnl_memory_desc_destroy(md);
        }
    }

    private static dnnl_memory_desc tagged(List<dnnl_memory_desc> owned, int type, long[] dims, int tag) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        if (dnnl_memory_desc_create_with_tag(md, dims.length, dims, type, tag) != 0) return null;
        owned.add(md);
        return md;
    }
}
