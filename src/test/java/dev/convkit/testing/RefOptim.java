package dev.convkit.testing;

/**
 * Float64 reference of the Keras optimizer updates over flat slices. Every method updates its arrays in place;
 * {@code hyper} is [learning rate, step t ≥ 1]. Hyper-parameters arrive as the ops' float fields widened to double.
 */
final class RefOptim {
    private RefOptim() {}

    /**
     * SGD: with momentum 0, p −= lr·g and the velocity is left as it is. Otherwise v = momentum·v − lr·g and
     * p += v, or with Nesterov p += momentum·v − lr·g (using the new v).
     */
    static void sgd(double momentum, boolean nesterov, double[] p, double[] g, double[] velocity, double[] hyper) {
        double lr = hyper[0];
        for (int i = 0; i < p.length; i++) {
            if (momentum == 0) {
                p[i] -= lr * g[i];
                continue;
            }
            velocity[i] = momentum * velocity[i] - lr * g[i];
            p[i] += nesterov ? momentum * velocity[i] - lr * g[i] : velocity[i];
        }
    }

    /**
     * Adam: m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²; p −= lr·√(1 − β2^t)/(1 − β1^t) · m/(√v + ε).
     */
    static void adam(double beta1, double beta2, double epsilon, double[] p, double[] g, double[] m, double[] v,
                     double[] hyper) {
        double lr = hyper[0], t = step(hyper);
        double alpha = lr * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
        for (int i = 0; i < p.length; i++) {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            p[i] -= alpha * m[i] / (Math.sqrt(v[i]) + epsilon);
        }
    }

    /** RMSprop (plain): ms = ρ·ms + (1 − ρ)·g²; p −= lr·g/(√ms + ε). */
    static void rmsProp(double rho, double epsilon, double[] p, double[] g, double[] meanSquare, double[] hyper) {
        double lr = hyper[0];
        for (int i = 0; i < p.length; i++) {
            meanSquare[i] = rho * meanSquare[i] + (1 - rho) * g[i] * g[i];
            p[i] -= lr * g[i] / (Math.sqrt(meanSquare[i]) + epsilon);
        }
    }

    private static double step(double[] hyper) {
        double t = hyper[1];
        if (t < 1 || t != Math.rint(t)) throw new IllegalArgumentException("optimizer step t must be an integer >= 1, got " + t);
        return t;
    }
}
