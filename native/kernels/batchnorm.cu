// Batch-norm statistics conversions around cuDNN's spatial batch norm. cuDNN's training forward saves the batch mean
// and the inverse standard deviation 1 / sqrt(var + eps); ConvKit's BatchNormTrain outputs the batch mean and the
// biased batch variance, and BatchNormBwd receives (mean, var). These kernels convert between the two, in double,
// and update the running statistics from the batch ones (cuDNN's own update divides by count - 1, which is 0 when a
// channel has a single value).
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

/**
 * BatchNormTrain running statistics from the batch mean and biased var of `count` values per channel (Keras):
 * running_mean = momentum * running_mean + (1 - momentum) * mean,
 * running_var = momentum * running_var + (1 - momentum) * var * count / max(count - 1, 1), in double.
 */
extern "C" __global__ void bn_update_running_f32(float* running_mean, float* running_var, const float* mean,
                                                 const float* var, float momentum, long long count, int channels) {
    const long long c = convkit::first_index();
    if (c >= channels) return;
    const double m = static_cast<double>(momentum);
    const double values = static_cast<double>(count);
    const double unbias = values / fmax(values - 1.0, 1.0);
    running_mean[c] = static_cast<float>(m * running_mean[c] + (1.0 - m) * mean[c]);
    running_var[c] = static_cast<float>(m * running_var[c] + (1.0 - m) * static_cast<double>(var[c]) * unbias);
}
