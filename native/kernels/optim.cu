// Optimizer updates and the weights' moving average over flat parameter slices, in place, exactly as the op javadocs
// state.
// hyper is the (2,) device tensor [learning rate, step t >= 1]. Layout: param, grad and state slices of n floats.
// Launch: 1-D grid-stride; block 256, grid min(ceil(n / 256), 8192).
// Tests (GPU only, skipped elsewhere): CudaKernelsTest (Adam step); the op conformance suite covers SGD, RMSprop and
// the average. On the CPU, HostOptimKernelsTest runs every kernel here against the reference.
// Without a GPU, NativeKernelsBuildTest checks symbols and signatures.
// Run: mvn test -Dtest='dev.convkit.backend.cuda.*'
#include "common.cuh"

/**
 * SgdUpdate: momentum 0: p -= lr * g (velocity untouched); otherwise v = momentum * v - lr * g and
 * p += v, or with nesterov p += momentum * v - lr * g (v already updated).
 */
extern "C" __global__ void sgd_update_f32(float* param, const float* grad, float* velocity, const float* hyper,
                                          long long n, float momentum, int nesterov) {
    const float lr = hyper[0];
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        const float g = grad[i];
        if (momentum == 0.0f) {
            param[i] -= lr * g;
        } else {
            const float v = momentum * velocity[i] - lr * g;
            velocity[i] = v;
            param[i] += nesterov ? momentum * v - lr * g : v;
        }
    }
}

/**
 * AdamUpdate: m = b1 * m + (1 - b1) * g; v = b2 * v + (1 - b2) * g^2;
 * p -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps), the step factor computed in double.
 */
extern "C" __global__ void adam_update_f32(float* param, const float* grad, float* m, float* v, const float* hyper,
                                           long long n, float beta1, float beta2, float epsilon) {
    const double t = hyper[1];
    const double lr = hyper[0];
    const float alpha = static_cast<float>(lr * sqrt(1.0 - pow(static_cast<double>(beta2), t))
                                           / (1.0 - pow(static_cast<double>(beta1), t)));
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        const float g = grad[i];
        const float mi = beta1 * m[i] + (1.0f - beta1) * g;
        const float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        param[i] -= alpha * mi / (sqrtf(vi) + epsilon);
    }
}

/** RmsPropUpdate: ms = rho * ms + (1 - rho) * g^2; p -= lr * g / (sqrt(ms) + eps). */
extern "C" __global__ void rmsprop_update_f32(float* param, const float* grad, float* mean_square, const float* hyper,
                                              long long n, float rho, float epsilon) {
    const float lr = hyper[0];
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        const float g = grad[i];
        const float ms = rho * mean_square[i] + (1.0f - rho) * g * g;
        mean_square[i] = ms;
        param[i] -= lr * g / (sqrtf(ms) + epsilon);
    }
}

/**
 * EmaUpdate: average = d * average + (1 - d) * value with d = min(momentum, (1 + t) / (10 + t)), the cap computed in
 * double and rounded to float as the op's Java definition does.
 */
extern "C" __global__ void ema_update_f32(float* average, const float* value, const float* hyper, long long n,
                                          float momentum) {
    const double t = hyper[1];
    const float d = fminf(momentum, static_cast<float>((1.0 + t) / (10.0 + t)));
    const float rest = 1.0f - d;
    for (long long i = convkit::first_index(); i < n; i += convkit::grid_stride()) {
        average[i] = d * average[i] + rest * value[i];
    }
}
