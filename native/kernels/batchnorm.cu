// Batch-norm statistics conversions around cuDNN's spatial batch norm. cuDNN's training forward saves the batch mean
// and the inverse standard deviation 1 / sqrt(var + eps); ConvKit's BatchNormTrain outputs the batch mean and the
// biased batch variance, and BatchNormBwd receives (mean, var). These kernels convert between the two, in double.
// Layout: vectors of `channels` floats. Launch: one thread per channel; block 256, grid ceil(channels / 256).
// Tests (GPU only, skipped elsewhere): CudaKernelsTest (batch-norm statistics, backward with and without the
// forward hint).
// Without a GPU, NativeKernelsBuildTest checks symbols and signatures.
// Run: mvn test -Dtest='dev.convkit.backend.cuda.*'
#include "common.cuh"

/** BatchNormTrain outputs: mean[c] = saved_mean[c]; var[c] = 1 / saved_inv_std[c]^2 - eps. */
extern "C" __global__ void bn_stats_from_saved_f32(float* mean, float* var, const float* saved_mean,
                                                   const float* saved_inv_std, float eps, int channels) {
    const long long c = convkit::first_index();
    if (c >= channels) return;
    const double inv = saved_inv_std[c];
    mean[c] = saved_mean[c];
    var[c] = static_cast<float>(fmax(1.0 / (inv * inv) - static_cast<double>(eps), 0.0));
}

/** BatchNormBwd without its forward kernel's saved memory: inv_std[c] = 1 / sqrt(var[c] + eps). */
extern "C" __global__ void bn_inv_std_from_var_f32(float* inv_std, const float* var, float eps, int channels) {
    const long long c = convkit::first_index();
    if (c >= channels) return;
    inv_std[c] = static_cast<float>(1.0 / sqrt(static_cast<double>(var[c]) + static_cast<double>(eps)));
}
