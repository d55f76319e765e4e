# Warning flags of the kernel build. Spills and local-memory use are reported because every kernel is meant to run
# from registers (an array of pointers indexed at run time, for instance, silently moves to local memory).
# -DCONVKIT_CUDA_WERROR=ON turns every warning into an error (used when checking the kernels; off by default so a
# newer nvcc's new warning does not break a user's build).

option(CONVKIT_CUDA_WERROR "Treat nvcc and ptxas warnings in the ConvKit kernels as errors" OFF)

set(CONVKIT_NVCC_WARNING_FLAGS -Xptxas=-warn-spills,-warn-lmem-usage)
if(CONVKIT_CUDA_WERROR)
    list(APPEND CONVKIT_NVCC_WARNING_FLAGS -Werror=all-warnings)
endif()
