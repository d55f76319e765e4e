package dev.convkit.backend.cuda;

import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolution2dForwardOutputDim;

import dev.convkit.backend.BackendException;
import dev.convkit.ops.Op;
import dev.convkit.tensor.TensorSpec;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;

/**
 * The four cuDNN descriptors of one convolution: src as cuDNN sees it (staged when padding is asymmetric), weights,
 * the convolution and dst. Built once per kernel; cuDNN's own output size is checked against the op's shape rule.
 */
@SuppressWarnings("deprecation")  // cuDNN 9 marks its legacy API deprecated; it is supported throughout 9.x
record ConvDescriptors(cudnnTensorStruct x, cudnnFilterStruct w, cudnnConvolutionStruct conv, cudnnTensorStruct y) {

    static ConvDescriptors create(CudnnDescriptors set, ConvGeometry g, Op op, List<TensorSpec> specs) {
        cudnnTensorStruct x = set.tensor(g.n(), g.c(), g.stagedH(), g.stagedW());
        cudnnFilterStruct w = set.filter(g.o(), g.inPerGroup(), g.kh(), g.kw());
        cudnnConvolutionStruct conv = set.convolution(g.padH(), g.padW(), g.window().strideH(), g.window().strideW(),
                g.window().dilationH(), g.window().dilationW(), g.groups());
        int[] n = new int[1], c = new int[1], h = new int[1], wd = new int[1];
        Check.cudnn(cudnnGetConvolution2dForwardOutputDim(conv, x, w, n, c, h, wd), "cudnnGetConvolution2dForwardOutputDim",
                op, specs);
        int[] cudnnOut = {n[0], c[0], h[0], wd[0]}, expected = {g.n(), g.o(), g.outH(), g.outW()};
        if (!Arrays.equals(cudnnOut, expected)) {
            throw new BackendException(Check.ENGINE, op, specs, 0, "cuDNN computes output " + Arrays.toString(cudnnOut)
                    + " but the op's shape rule gives " + Arrays.toString(expected) + " for " + g);
        }
        return new ConvDescriptors(x, w, conv, set.tensor(g.n(), g.o(), g.outH(), g.outW()));
    }
}
