// SoftmaxCrossEntropy forward / backward over logits [rows, classes] row-major. Labels are either dense
// probabilities [rows, classes] or, when sparse, class indices [rows] stored as exact integers in f32.
// Tests (GPU only, skipped elsewhere): CudaKernelsTest (sparse and one-hot loss, gradient).
// Without a GPU, NativeKernelsBuildTest checks symbols and signatures.
// Run: mvn test -Dtest='dev.convkit.backend.cuda.*'
#include "common.cuh"

/**
 * Forward, one row per block: probs[r, :] = softmax(logits[r, :]) and row_loss[r] = -sum_k y[r, k] * log p[r, k]
 * with log p = z - max - log(sum exp(z - max)) (never -inf). A sparse label outside [0, classes) gives NaN.
 * The batch loss is mean_f32(row_loss) afterwards. Launch: grid rows, block 256 (any multiple of 32 up to 1024).
 */
extern "C" __global__ void softmax_xent_fwd_f32(float* row_loss, float* probs, const float* logits,
                                                 const float* labels, long long rows, int classes, int sparse) {
    __shared__ double sum_scratch[32];
    __shared__ float max_scratch[32];
    const long long r = blockIdx.x;
    if (r >= rows) return;
    const float* z = logits + r * classes;
    float* p = probs + r * classes;

    float m = -INFINITY;
    for (int k = threadIdx.x; k < classes; k += blockDim.x) m = fmaxf(m, z[k]);
    m = convkit::block_max(m, max_scratch);

    double s = 0.0;
    for (int k = threadIdx.x; k < classes; k += blockDim.x) s += exp(static_cast<double>(z[k] - m));
    s = convkit::block_sum(s, sum_scratch);
    const double log_s = log(s);

    double loss = 0.0;
    for (int k = threadIdx.x; k < classes; k += blockDim.x) {
        const double log_p = static_cast<double>(z[k] - m) - log_s;
        p[k] = static_cast<float>(exp(log_p));
        if (!sparse) loss -= static_cast<double>(labels[r * classes + k]) * log_p;
    }
    if (sparse) {
        const float label = labels[r];
        const int k = static_cast<int>(label);
        if (threadIdx.x == 0) {
            loss = (label >= 0.0f && k < classes) ? -(static_cast<double>(z[k] - m) - log_s) : NAN;
        }
    }
    loss = convkit::block_sum(loss, sum_scratch);
    if (threadIdx.x == 0) row_loss[r] = static_cast<float>(loss);
}

/**
 * Backward: dlogits[r, k] = d_loss[0] * (probs[r, k] - y[r, k]) / rows, y one-hot of labels[r] when sparse.
 * Launch: 1-D grid-stride over rows * classes; block 256, grid min(ceil(n / 256), 8192).
 */
extern "C" __global__ void softmax_xent_bwd_f32(float* dlogits, const float* probs, const float* labels,
                                                const float* d_loss, long long rows, int classes, int sparse) {
    const long long n = rows * classes;
    const float factor = d_loss[0] / static_cast<float>(rows);
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        float y;
        if (sparse) {
            y = static_cast<int>(labels[i / classes]) == static_cast<int>(i % classes) ? 1.0f : 0.0f;
        } else {
            y = labels[i];
        }
        dlogits[i] = factor * (probs[i] - y);
    }
}
