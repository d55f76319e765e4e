// Element-wise kernels: Add, Mul, Scale, the ReLU, ReLU6, sigmoid and tanh gradients, leaky ReLU forward and backward,
// Dense's bias and L2Penalty's gradient.
// Layout: every tensor is a flat f32 array of n elements (any canonical shape), except bias_add_rows_f32 ([rows,
// cols]).
// Launch: 1-D grid-stride; block 256, grid min(ceil(n / 256), 8192).
// Tests (GPU only, skipped elsewhere): CudaKernelsTest (relu gradient, wide Add), CudaLinearAlgebraTest (dense bias).
// Without a GPU, NativeKernelsBuildTest checks symbols and signatures.
// Run: mvn test -Dtest='dev.convkit.backend.cuda.*'
#include "common.cuh"

/**
 * Add (arity up to 8 per launch): dst[i] = s0[i] + s1[i] + ... + s{count-1}[i], summed left to right.
 * Pointers past `count` are ignored (may be null). Sums of more than 8 tensors chain launches with dst as s0.
 */
extern "C" __global__ void sum_f32(float* dst, long long n, int count,
                                   const float* s0, const float* s1, const float* s2, const float* s3,
                                   const float* s4, const float* s5, const float* s6, const float* s7) {
    // Spelled out (not an array of pointers) so the sources stay in registers.
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        float acc = s0[i];
        if (count > 1) acc += s1[i];
        if (count > 2) acc += s2[i];
        if (count > 3) acc += s3[i];
        if (count > 4) acc += s4[i];
        if (count > 5) acc += s5[i];
        if (count > 6) acc += s6[i];
        if (count > 7) acc += s7[i];
        dst[i] = acc;
    }
}

/** Mul: dst[i] = a[i] * b[i]. */
extern "C" __global__ void mul_f32(float* dst, const float* a, const float* b, long long n) {
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) dst[i] = a[i] * b[i];
}

/** Scale: dst[i] = alpha * src[i]. */
extern "C" __global__ void scale_f32(float* dst, const float* src, float alpha, long long n) {
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) dst[i] = alpha * src[i];
}

/** ActivationBwd(RELU) from the forward output: dx[i] = y[i] > 0 ? dy[i] : 0. */
extern "C" __global__ void relu_bwd_f32(float* dx, const float* y, const float* dy, long long n) {
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

/** ActivationBwd(RELU6) from the forward output: dx[i] = 0 < y[i] < 6 ? dy[i] : 0 (0 at both kinks). */
extern "C" __global__ void relu6_bwd_f32(float* dx, const float* y, const float* dy, long long n) {
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        dx[i] = y[i] > 0.0f && y[i] < 6.0f ? dy[i] : 0.0f;
    }
}

/** LeakyRelu: dst[i] = src[i] > 0 ? src[i] : slope * src[i]. */
extern "C" __global__ void leaky_relu_fwd_f32(float* dst, const float* src, float slope, long long n) {
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        const float x = src[i];
        dst[i] = x > 0.0f ? x : slope * x;
    }
}

/**
 * LeakyReluBwd from the forward input: dx[i] = dy[i] for x > 0, slope * dy[i] for x < 0 and 0 at x = 0, exactly the
 * op's decomposition (relu_bwd of relu(x) and of relu(-x)).
 */
extern "C" __global__ void leaky_relu_bwd_f32(float* dx, const float* x, const float* dy, float slope, long long n) {
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        const float v = x[i];
        dx[i] = v > 0.0f ? dy[i] : (v < 0.0f ? slope * dy[i] : 0.0f);
    }
}

/** ActivationBwd(SIGMOID) from the forward output: dx[i] = dy[i] * y[i] * (1 - y[i]). */
extern "C" __global__ void sigmoid_bwd_f32(float* dx, const float* y, const float* dy, long long n) {
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}

/** ActivationBwd(TANH) from the forward output: dx[i] = dy[i] * (1 - y[i]^2). */
extern "C" __global__ void tanh_bwd_f32(float* dx, const float* y, const float* dy, long long n) {
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

/** Dense bias: dst[r, c] += bias[c] for dst [rows, cols] row-major. */
extern "C" __global__ void bias_add_rows_f32(float* dst, const float* bias, long long rows, int cols) {
    const long long n = rows * cols;
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) dst[i] += bias[i % cols];
}

/** L2PenaltyBwd: dw[i] = 2 * lambda * dPenalty[0] * w[i]; dPenalty is a (1,) device tensor. */
extern "C" __global__ void l2_penalty_bwd_f32(float* dw, const float* w, const float* d_penalty, float lambda,
                                              long long n) {
    const float factor = 2.0f * lambda * d_penalty[0];
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) dw[i] = factor * w[i];
}
