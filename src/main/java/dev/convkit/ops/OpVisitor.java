package dev.convkit.ops;

/**
 * One method per op record: an engine's kernel compiler, the reference and every other consumer that must handle
 * each op implement it, so an op added to the catalogue (it must be permitted by the sealed {@link Op} and
 * implement {@link Op#accept}) is a compile error in every visitor until handled.
 *
 * <p>Composite ops are the exception, by design: they all reach {@link #decomposed}, because their decomposition
 * ({@link Composite#decompose}) already defines them; the composite family is open, so adding one touches no
 * visitor.
 */
public interface OpVisitor<R> {
    R visit(Conv2d op);
    R visit(Conv2dBwdData op);
    R visit(Conv2dBwdFilter op);
    R visit(BatchNormTrain op);
    R visit(BatchNormInfer op);
    R visit(BatchNormBwd op);
    R visit(ActivationOp op);
    R visit(ActivationBwd op);
    R visit(Pool2d op);
    R visit(Pool2dBwd op);
    R visit(GlobalAvgPool op);
    R visit(GlobalAvgPoolBwd op);
    R visit(DenseOp op);
    R visit(DenseBwdData op);
    R visit(DenseBwdWeights op);
    R visit(AddOp op);
    R visit(Mul op);
    R visit(Scale op);
    R visit(Concat op);
    R visit(SplitOp op);
    R visit(FlattenOp op);
    R visit(Unflatten op);
    R visit(ZeroPad2d op);
    R visit(Crop2d op);
    R visit(DropoutOp op);
    R visit(SoftmaxCrossEntropy op);
    R visit(SoftmaxCrossEntropyBwd op);
    R visit(L2Penalty op);
    R visit(L2PenaltyBwd op);
    R visit(Cast op);
    R visit(SgdUpdate op);
    R visit(AdamUpdate op);
    R visit(RmsPropUpdate op);
    R visit(EmaUpdate op);

    /**
     * Any {@link Composite} op: evaluated through its decomposition, or, in an engine, given the dedicated kernel its
     * table of composite kernels holds for the record class.
     */
    R decomposed(Composite op);
}
