// Layout copies: ZeroPad2d / Crop2d (also the asymmetric-padding staging of convolutions), Concat / Split along
// channels, and Keras Flatten / Unflatten (NCHW <-> per-sample NHWC order).
// Launch: 1-D grid-stride over the destination elements; block 256, grid min(ceil(n / 256), 8192).
// Tests (GPU only, skipped elsewhere): CudaKernelsTest (flatten, concat/split), CudaLinearAlgebraTest (asymmetric
// conv padding).
// Without a GPU, NativeKernelsBuildTest checks symbols and signatures.
// Run: mvn test -Dtest='dev.convkit.backend.cuda.*'
#include "common.cuh"

/**
 * ZeroPad2d: dst [planes, oh, ow] from src [planes, h, w] (planes = N * C), where dst[p, y, x] =
 * src[p, y - top, x - left] inside the source and 0 elsewhere (oh = top + h + bottom, ow = left + w + right).
 */
extern "C" __global__ void pad2d_f32(float* dst, const float* src, long long planes, int h, int w, int oh, int ow,
                                     int top, int left) {
    const long long n = planes * oh * ow;
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        const int x = static_cast<int>(i % ow);
        const int y = static_cast<int>((i / ow) % oh);
        const long long p = i / (static_cast<long long>(oh) * ow);
        const int sy = y - top, sx = x - left;
        dst[i] = (sy >= 0 && sy < h && sx >= 0 && sx < w) ? src[(p * h + sy) * w + sx] : 0.0f;
    }
}

/** Crop2d: dst [planes, oh, ow] = src [planes, h, w] at rows top .. top + oh and columns left .. left + ow. */
extern "C" __global__ void crop2d_f32(float* dst, const float* src, long long planes, int h, int w, int oh, int ow,
                                      int top, int left) {
    const long long n = planes * oh * ow;
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        const int x = static_cast<int>(i % ow);
        const int y = static_cast<int>((i / ow) % oh);
        const long long p = i / (static_cast<long long>(oh) * ow);
        dst[i] = src[(p * h + y + top) * w + x + left];
    }
}

/**
 * Concat / Split: copies `channels` channels of every sample between two [batch, C, spatial] tensors:
 * dst[b, dst_offset + c, s] = src[b, src_offset + c, s] for c < channels, s < spatial (spatial = H * W, or 1 for
 * [N, C]). Concat runs it once per input with src_offset 0; Split once per output with dst_offset 0.
 */
extern "C" __global__ void copy_channels_f32(float* dst, const float* src, long long batch, long long spatial,
                                             int channels, int dst_channels, int dst_offset, int src_channels,
                                             int src_offset) {
    const long long n = batch * channels * spatial;
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        const long long s = i % spatial;
        const long long c = (i / spatial) % channels;
        const long long b = i / (spatial * channels);
        dst[(b * dst_channels + dst_offset + c) * spatial + s] = src[(b * src_channels + src_offset + c) * spatial + s];
    }
}

/** Flatten (Keras order): dst [batch, spatial * C] with dst[b, s * C + c] = src[b, c, s], src [batch, C, spatial]. */
extern "C" __global__ void nchw_to_nhwc_f32(float* dst, const float* src, long long batch, int channels,
                                            long long spatial) {
    const long long n = batch * channels * spatial;
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        const long long c = i % channels;
        const long long s = (i / channels) % spatial;
        const long long b = i / (static_cast<long long>(channels) * spatial);
        dst[i] = src[(b * channels + c) * spatial + s];
    }
}

/** Unflatten: dst [batch, C, spatial] with dst[b, c, s] = src[b, s * C + c]; the inverse of nchw_to_nhwc_f32. */
extern "C" __global__ void nhwc_to_nchw_f32(float* dst, const float* src, long long batch, int channels,
                                            long long spatial) {
    const long long n = batch * channels * spatial;
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        const long long s = i % spatial;
        const long long c = (i / spatial) % channels;
        const long long b = i / (static_cast<long long>(channels) * spatial);
        dst[i] = src[(b * spatial + s) * channels + c];
    }
}
