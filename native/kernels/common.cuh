// Shared device helpers of the ConvKit kernels. Every family file includes this header; all families are compiled
// together as one translation unit (see native/CMakeLists.txt), so helpers live here once, inside namespace convkit,
// and every kernel is an extern "C" __global__ entry whose name says what it computes.
//
// Conventions for every entry point:
//   * tensors are f32 in ConvKit's canonical layout (row-major NCHW / NC / flat vectors), passed as raw pointers;
//   * element counts are `long long`, small dimensions are `int`;
//   * element-wise kernels use a grid-stride loop, so any 1-D grid is correct and the host picks
//     block 256 and grid min(ceil(n / 256), 8192) (KernelGeometry.elementwise on the Java side).
#pragma once

#include <cmath>
#include <cstdint>

namespace convkit {

/** First index this thread handles in a 1-D grid-stride loop. */
__device__ __forceinline__ long long first_index() {
    return static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
}

/** Distance between the indices one thread handles in a 1-D grid-stride loop. */
__device__ __forceinline__ long long grid_stride() {
    return static_cast<long long>(blockDim.x) * gridDim.x;
}

/** Sum of v over a warp; every lane receives the total. */
__device__ __forceinline__ double warp_sum(double v) {
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

__device__ __forceinline__ float warp_sum(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
    return v;
}

/**
 * Sum of v over the block (blockDim.x a multiple of 32, at most 1024); every thread receives the total. The order of
 * additions depends only on blockDim, so results are bitwise reproducible. `scratch` holds 32 doubles in shared memory.
 */
__device__ __forceinline__ double block_sum(double v, double* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();  // scratch may still be read by a previous call
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : 0.0;
    return warp_sum(v);
}

/** Maximum of v over the block, with the same shape rules as block_sum; `scratch` holds 32 floats. */
__device__ __forceinline__ float block_max(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : -INFINITY;
    return warp_max(v);
}

}  // namespace convkit
