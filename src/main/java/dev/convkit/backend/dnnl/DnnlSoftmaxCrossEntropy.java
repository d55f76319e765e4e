package dev.convkit.backend.dnnl;

import static dev.convkit.backend.dnnl.DnnlKernelBuilder.arg;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;

import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.Op;
import dev.convkit.ops.SoftmaxCrossEntropy;
import dev.convkit.ops.SoftmaxCrossEntropyBwd;
import java.nio.FloatBuffer;

/**
 * Softmax cross-entropy: the probabilities come from oneDNN's softmax primitive; the loss, averaged over the
 * batch, is a host loop over the logits (log-sum-exp in double, so a vanishing probability gives a large finite
 * loss rather than log 0). The gradient dL · (p − y) / N is a host loop too.
 */
final class DnnlSoftmaxCrossEntropy {
    private DnnlSoftmaxCrossEntropy() {}

    /** (logits [N, K], labels) → (loss (1,), probs [N, K]). */
    static void forward(DnnlKernelBuilder b, SoftmaxCrossEntropy op) {
        b.exec("softmax", DnnlActivation.forwardPd(b, ActivationOp.Kind.SOFTMAX, b.inputDesc(0)),
                arg(DNNL_ARG_SRC, b.src(0)), arg(DNNL_ARG_DST, b.dst(1)));
        int rows = b.inputs.get(0).dim(0), classes = b.inputs.get(0).dim(1);
        boolean sparse = op.sparse();
        b.host((src, dst, scratch) -> {
            FloatBuffer logits = src[0].floats(), labels = src[1].floats();
            double total = 0;
            for (int r = 0; r < rows; r++) {
                int row = r * classes;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < classes; k++) max = Math.max(max, logits.get(row + k));
                double sum = 0;
                for (int k = 0; k < classes; k++) sum += Math.exp(logits.get(row + k) - max);
                double logSumExp = max + Math.log(sum);
                if (sparse) {
                    total += logSumExp - logits.get(row + label(op, labels, r, classes));
                } else {
                    for (int k = 0; k < classes; k++) {
                        float y = labels.get(row + k);
                        if (y != 0f) total += y * (logSumExp - logits.get(row + k));
                    }
                }
            }
            dst[0].floats().put(0, (float) (total / rows));
        });
    }

    /** (probs [N, K], labels, dLoss (1,)) → dLogits = dL · (p − y) / N. */
    static void backward(DnnlKernelBuilder b, SoftmaxCrossEntropyBwd op) {
        int rows = b.inputs.get(0).dim(0), classes = b.inputs.get(0).dim(1);
        boolean sparse = op.sparse();
        b.host((src, dst, scratch) -> {
            FloatBuffer p = src[0].floats(), labels = src[1].floats(), dx = dst[0].floats();
            float scale = src[2].floats().get(0) / rows;
            for (int r = 0; r < rows; r++) {
                int row = r * classes;
                if (sparse) {
                    int target = label(op, labels, r, classes);
                    for (int k = 0; k < classes; k++) {
                        dx.put(row + k, scale * (p.get(row + k) - (k == target ? 1f : 0f)));
                    }
                } else {
                    for (int k = 0; k < classes; k++) dx.put(row + k, scale * (p.get(row + k) - labels.get(row + k)));
                }
            }
        });
    }

    /** The class index of row r, which must be an exact integer in [0, classes). */
    private static int label(Op op, FloatBuffer labels, int r, int classes) {
        float value = labels.get(r);
        int index = (int) value;
        if (index != value || index < 0 || index >= classes) {
            throw new IllegalArgumentException(op.name() + ": label " + value + " of row " + r
                    + " is not a class index in [0, " + classes + ")");
        }
        return index;
    }
}
