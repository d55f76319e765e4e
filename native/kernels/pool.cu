// Pool2d / Pool2dBwd with explicit (possibly asymmetric, TF "same") padding, exactly as the op javadoc states:
// padded positions never win a max; average pooling divides by the number of window elements inside the input;
// the max gradient goes to the first maximum of each window in row-major order.
// Layout: src/dx [planes, h, w], dst/dy [planes, oh, ow] (planes = N * C); argmax holds, per output element, the
// winning position y * w + x inside its input plane (int32).
// Launch: 1-D grid-stride (forward over outputs, backward over inputs); block 256, grid min(ceil(n / 256), 8192).
// Backward kernels gather from the windows covering each input element, so they need no atomics and are
// deterministic.
// Tests (GPU only, skipped elsewhere): CudaKernelsTest (max-pool ties and padding, average-pool counts).
// Without a GPU, NativeKernelsBuildTest checks symbols and signatures.
// Run: mvn test -Dtest='dev.convkit.backend.cuda.*'
#include "common.cuh"

namespace convkit {

/** First output index o with o * stride - pad + k - 1 >= y, i.e. the first window reaching row y. */
__device__ __forceinline__ int first_window(int y, int k, int stride, int pad) {
    const int reach = y + pad - k + 1;
    return reach <= 0 ? 0 : (reach + stride - 1) / stride;
}

/** Last output index whose window starts at or before row y, clipped to out - 1. */
__device__ __forceinline__ int last_window(int y, int stride, int pad, int out) {
    return min(out - 1, (y + pad) / stride);
}

/** Number of in-input positions of the window starting at (y0, x0). */
__device__ __forceinline__ int window_count(int y0, int x0, int kh, int kw, int h, int w) {
    const int rows = min(y0 + kh, h) - max(y0, 0);
    const int cols = min(x0 + kw, w) - max(x0, 0);
    return rows * cols;
}

}  // namespace convkit

/**
 * Max pooling forward: dst (may be null) gets each window's maximum, argmax (may be null) its first position in
 * row-major order. Every window holds at least one input element because padding is smaller than the window.
 */
extern "C" __global__ void max_pool2d_fwd_f32(float* dst, int* argmax, const float* src, long long planes, int h,
                                              int w, int oh, int ow, int kh, int kw, int sh, int sw, int pad_top,
                                              int pad_left) {
    const long long n = planes * oh * ow;
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        const int ox = static_cast<int>(i % ow);
        const int oy = static_cast<int>((i / ow) % oh);
        const long long p = i / (static_cast<long long>(oh) * ow);
        const float* plane = src + p * h * w;
        const int y0 = oy * sh - pad_top, x0 = ox * sw - pad_left;
        float best = 0.0f;
        int best_at = -1;
        for (int y = max(y0, 0); y < min(y0 + kh, h); y++) {
            for (int x = max(x0, 0); x < min(x0 + kw, w); x++) {
                const float v = plane[y * w + x];
                if (best_at < 0 || v > best) {
                    best = v;
                    best_at = y * w + x;
                }
            }
        }
        if (dst != nullptr) dst[i] = best;
        if (argmax != nullptr) argmax[i] = best_at;
    }
}

/** Max pooling backward: dx[p, y, x] = sum of dy over the windows whose argmax is (y, x). */
extern "C" __global__ void max_pool2d_bwd_f32(float* dx, const float* dy, const int* argmax, long long planes, int h,
                                              int w, int oh, int ow, int kh, int kw, int sh, int sw, int pad_top,
                                              int pad_left) {
    const long long n = planes * h * w;
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        const int x = static_cast<int>(i % w);
        const int y = static_cast<int>((i / w) % h);
        const long long p = i / (static_cast<long long>(h) * w);
        const long long out_plane = p * oh * ow;
        const int here = y * w + x;
        float acc = 0.0f;
        for (int oy = convkit::first_window(y, kh, sh, pad_top); oy <= convkit::last_window(y, sh, pad_top, oh); oy++) {
            for (int ox = convkit::first_window(x, kw, sw, pad_left); ox <= convkit::last_window(x, sw, pad_left, ow);
                 ox++) {
                const long long o = out_plane + static_cast<long long>(oy) * ow + ox;
                if (argmax[o] == here) acc += dy[o];
            }
        }
        dx[i] = acc;
    }
}

/** Average pooling forward: dst = sum of the window's in-input elements / their count. */
extern "C" __global__ void avg_pool2d_fwd_f32(float* dst, const float* src, long long planes, int h, int w, int oh,
                                              int ow, int kh, int kw, int sh, int sw, int pad_top, int pad_left) {
    const long long n = planes * oh * ow;
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        const int ox = static_cast<int>(i % ow);
        const int oy = static_cast<int>((i / ow) % oh);
        const long long p = i / (static_cast<long long>(oh) * ow);
        const float* plane = src + p * h * w;
        const int y0 = oy * sh - pad_top, x0 = ox * sw - pad_left;
        float acc = 0.0f;
        for (int y = max(y0, 0); y < min(y0 + kh, h); y++) {
            for (int x = max(x0, 0); x < min(x0 + kw, w); x++) acc += plane[y * w + x];
        }
        dst[i] = acc / static_cast<float>(convkit::window_count(y0, x0, kh, kw, h, w));
    }
}

/** Average pooling backward: dx[p, y, x] = sum over windows covering (y, x) of dy / that window's count. */
extern "C" __global__ void avg_pool2d_bwd_f32(float* dx, const float* dy, long long planes, int h, int w, int oh,
                                              int ow, int kh, int kw, int sh, int sw, int pad_top, int pad_left) {
    const long long n = planes * h * w;
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        const int x = static_cast<int>(i % w);
        const int y = static_cast<int>((i / w) % h);
        const long long p = i / (static_cast<long long>(h) * w);
        const long long out_plane = p * oh * ow;
        float acc = 0.0f;
        for (int oy = convkit::first_window(y, kh, sh, pad_top); oy <= convkit::last_window(y, sh, pad_top, oh); oy++) {
            for (int ox = convkit::first_window(x, kw, sw, pad_left); ox <= convkit::last_window(x, sw, pad_left, ow);
                 ox++) {
                const int count = convkit::window_count(oy * sh - pad_top, ox * sw - pad_left, kh, kw, h, w);
                acc += dy[out_plane + static_cast<long long>(oy) * ow + ox] / static_cast<float>(count);
            }
        }
        dx[i] = acc;
    }
}
