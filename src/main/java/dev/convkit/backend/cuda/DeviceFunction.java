package dev.convkit.backend.cuda;

/**
 * Every extern "C" kernel of native/kernels that the Java side launches, with the family file that defines it and
 * its parameter list. Signature letters, one per parameter, in order: {@code P} pointer, {@code L} long long,
 * {@code U} unsigned long long, {@code I} int, {@code F} float. {@link Launch} checks each argument against the
 * letter, and the build test checks the letters against the C declarations and the compiled fatbin.
 */
enum DeviceFunction {
    SUM_F32("elementwise.cu", "sum_f32", "PLIPPPPPPPP"),
    MUL_F32("elementwise.cu", "mul_f32", "PPPL"),
    SCALE_F32("elementwise.cu", "scale_f32", "PPFL"),
    RELU_BWD_F32("elementwise.cu", "relu_bwd_f32", "PPPL"),
    RELU6_BWD_F32("elementwise.cu", "relu6_bwd_f32", "PPPL"),
    LEAKY_RELU_FWD_F32("elementwise.cu", "leaky_relu_fwd_f32", "PPFL"),
    LEAKY_RELU_BWD_F32("elementwise.cu", "leaky_relu_bwd_f32", "PPPFL"),
    SIGMOID_BWD_F32("elementwise.cu", "sigmoid_bwd_f32", "PPPL"),
    TANH_BWD_F32("elementwise.cu", "tanh_bwd_f32", "PPPL"),
    BIAS_ADD_ROWS_F32("elementwise.cu", "bias_add_rows_f32", "PPLI"),
    L2_PENALTY_BWD_F32("elementwise.cu", "l2_penalty_bwd_f32", "PPPFL"),

    COLUMN_SUMS_F32("reduce.cu", "column_sums_f32", "PPLI"),
    GLOBAL_AVG_POOL_F32("reduce.cu", "global_avg_pool_f32", "PPLL"),
    GLOBAL_AVG_POOL_BWD_F32("reduce.cu", "global_avg_pool_bwd_f32", "PPLL"),
    L2_PENALTY_BLOCKS_F32("reduce.cu", "l2_penalty_blocks_f32", "PPL"),
    L2_PENALTY_SUM_F32("reduce.cu", "l2_penalty_sum_f32", "PPFI"),
    MEAN_F32("reduce.cu", "mean_f32", "PPL"),

    PAD2D_F32("layout.cu", "pad2d_f32", "PPLIIIIII"),
    CROP2D_F32("layout.cu", "crop2d_f32", "PPLIIIIII"),
    COPY_CHANNELS_F32("layout.cu", "copy_channels_f32", "PPLLIIIII"),
    NCHW_TO_NHWC_F32("layout.cu", "nchw_to_nhwc_f32", "PPLIL"),
    NHWC_TO_NCHW_F32("layout.cu", "nhwc_to_nchw_f32", "PPLIL"),

    MAX_POOL2D_FWD_F32("pool.cu", "max_pool2d_fwd_f32", "PPPLIIIIIIIIII"),
    MAX_POOL2D_BWD_F32("pool.cu", "max_pool2d_bwd_f32", "PPPLIIIIIIIIII"),
    AVG_POOL2D_FWD_F32("pool.cu", "avg_pool2d_fwd_f32", "PPLIIIIIIIIII"),
    AVG_POOL2D_BWD_F32("pool.cu", "avg_pool2d_bwd_f32", "PPLIIIIIIIIII"),

    BN_STATS_FROM_SAVED_F32("batchnorm.cu", "bn_stats_from_saved_f32", "PPPPFI"),
    BN_INV_STD_FROM_VAR_F32("batchnorm.cu", "bn_inv_std_from_var_f32", "PPFI"),
    BN_UPDATE_RUNNING_F32("batchnorm.cu", "bn_update_running_f32", "PPPPFLI"),

    DROPOUT_FWD_F32("dropout.cu", "dropout_fwd_f32", "PPPPUFFL"),

    SOFTMAX_XENT_FWD_F32("softmax_xent.cu", "softmax_xent_fwd_f32", "PPPPLII"),
    SOFTMAX_XENT_BWD_F32("softmax_xent.cu", "softmax_xent_bwd_f32", "PPPPLII"),

    SGD_UPDATE_F32("optim.cu", "sgd_update_f32", "PPPPLFI"),
    ADAM_UPDATE_F32("optim.cu", "adam_update_f32", "PPPPPLFFF"),
    RMSPROP_UPDATE_F32("optim.cu", "rmsprop_update_f32", "PPPPLFF"),
    EMA_UPDATE_F32("optim.cu", "ema_update_f32", "PPPLF");

    private final String family;
    private final String symbol;
    private final String signature;

    DeviceFunction(String family, String symbol, String signature) {
        this.family = family;
        this.symbol = symbol;
        this.signature = signature;
    }

    /** Source file under native/kernels. */
    String family() { return family; }

    /** The extern "C" name in the fatbin. */
    String symbol() { return symbol; }

    /** Parameter kinds, one letter per parameter (see the class comment). */
    String signature() { return signature; }

    int parameterCount() { return signature.length(); }
}
