// Dropout forward with the reproducible mask of dev.convkit.ops.DropoutOp.keep (bit-for-bit the same rule):
// z = seed + counter * 0x9E3779B97F4A7C15 + index * 0xD1B54A32D192ED03 (wrapping 64-bit), SplitMix64's finaliser,
// u = (z >> 40) * 2^-24, keep when u >= rate.
// Layout: src, dst, mask flat f32 [n] (index = canonical element index); counter is the (1,) step tensor holding an
// exact integer. Launch: 1-D grid-stride; block 256, grid min(ceil(n / 256), 8192).
// Tests (GPU only, skipped elsewhere): CudaKernelsTest (mask equals Dropout.keep element by element).
// Without a GPU, NativeKernelsBuildTest checks symbols and signatures.
// Run: mvn test -Dtest='dev.convkit.backend.cuda.*'
#include "common.cuh"

namespace convkit {

__device__ __forceinline__ bool dropout_keep(unsigned long long seed, unsigned long long counter,
                                             unsigned long long index, float rate) {
    unsigned long long z = seed + counter * 0x9E3779B97F4A7C15ull + index * 0xD1B54A32D192ED03ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    const float u = static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
    return u >= rate;
}

}  // namespace convkit

/** Dropout: mask[i] = keep(i) ? keep_scale : 0 and dst[i] = src[i] * mask[i], keep_scale = 1 / (1 - rate). */
extern "C" __global__ void dropout_fwd_f32(float* dst, float* mask, const float* src, const float* counter,
                                           unsigned long long seed, float rate, float keep_scale, long long n) {
    const unsigned long long step = static_cast<unsigned long long>(static_cast<long long>(counter[0]));
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        const float m = convkit::dropout_keep(seed, step, static_cast<unsigned long long>(i), rate) ? keep_scale : 0.0f;
        mask[i] = m;
        dst[i] = src[i] * m;
    }
}
