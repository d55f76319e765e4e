// Reductions: Dense's bias gradient (column sums), GlobalAvgPool forward/backward, L2Penalty and the batch mean of
// per-row losses. Every reduction has a fixed order of additions (no atomics), so results are bitwise reproducible.
// Tests (GPU only, skipped elsewhere): CudaKernelsTest (softmax cross-entropy mean), CudaLinearAlgebraTest (dense
// bias gradient).
// Without a GPU, NativeKernelsBuildTest checks symbols and signatures.
// Run: mvn test -Dtest='dev.convkit.backend.cuda.*'
#include "common.cuh"

/**
 * DenseBwdWeights bias part: dst[c] = sum over r of src[r, c], src [rows, cols] row-major, accumulated in double.
 * Launch: one thread per column; block 256, grid ceil(cols / 256).
 */
extern "C" __global__ void column_sums_f32(float* dst, const float* src, long long rows, int cols) {
    const long long c = convkit::first_index();
    if (c >= cols) return;
    double acc = 0.0;
    for (long long r = 0; r < rows; r++) acc += src[r * cols + c];
    dst[c] = static_cast<float>(acc);
}

/**
 * GlobalAvgPool: dst[p] = mean of src[p, 0 .. hw) for planes p = n * C + c, src [N, C, H, W], dst [N, C].
 * Launch: one warp per plane; block 256 (8 planes), grid ceil(planes / 8).
 */
extern "C" __global__ void global_avg_pool_f32(float* dst, const float* src, long long planes, long long hw) {
    const long long plane = (static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x) >> 5;
    const int lane = threadIdx.x & 31;
    if (plane >= planes) return;  // whole warps leave together: planes are warp-aligned
    const float* p = src + plane * hw;
    double acc = 0.0;
    for (long long i = lane; i < hw; i += 32) acc += p[i];
    acc = convkit::warp_sum(acc);
    if (lane == 0) dst[plane] = static_cast<float>(acc / static_cast<double>(hw));
}

/**
 * GlobalAvgPoolBwd: dx[p, i] = dy[p] / hw for dx [N, C, H, W], dy [N, C].
 * Launch: 1-D grid-stride over planes * hw; block 256, grid min(ceil(n / 256), 8192).
 */
extern "C" __global__ void global_avg_pool_bwd_f32(float* dx, const float* dy, long long planes, long long hw) {
    const long long n = planes * hw;
    const float inv = 1.0f / static_cast<float>(hw);
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) dx[i] = dy[i / hw] * inv;
}

/**
 * L2Penalty, first pass: partials[b] = sum of w[i]^2 over the indices block b visits in a grid-stride loop, in double.
 * Launch: block 256, grid min(ceil(n / 256), 1024) fixed by n, so the order of additions is fixed; partials holds one
 * double per block.
 */
extern "C" __global__ void l2_penalty_blocks_f32(double* partials, const float* w, long long n) {
    __shared__ double scratch[32];
    double acc = 0.0;
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        acc += static_cast<double>(w[i]) * w[i];
    }
    acc = convkit::block_sum(acc, scratch);
    if (threadIdx.x == 0) partials[blockIdx.x] = acc;
}

/**
 * L2Penalty, second pass: out[0] = lambda * sum of partials[0 .. blocks), in double and a fixed order.
 * Launch: a single block of 1024 threads (grid 1).
 */
extern "C" __global__ void l2_penalty_sum_f32(float* out, const double* partials, float lambda, int blocks) {
    __shared__ double scratch[32];
    double acc = 0.0;
    for (int b = threadIdx.x; b < blocks; b += blockDim.x) acc += partials[b];
    acc = convkit::block_sum(acc, scratch);
    if (threadIdx.x == 0) out[0] = static_cast<float>(static_cast<double>(lambda) * acc);
}

/**
 * Batch mean: out[0] = (sum of src[i]) / n, accumulated in double (SoftmaxCrossEntropy's per-row losses).
 * Launch: a single block of 1024 threads (grid 1).
 */
extern "C" __global__ void mean_f32(float* out, const float* src, long long n) {
    __shared__ double scratch[32];
    double acc = 0.0;
    for (long long i = threadIdx.x; i < n; i += blockDim.x) acc += src[i];
    acc = convkit::block_sum(acc, scratch);
    if (threadIdx.x == 0) out[0] = static_cast<float>(acc / static_cast<double>(n));
}
