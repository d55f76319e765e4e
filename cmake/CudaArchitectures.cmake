# Which GPUs the kernel fatbin carries code for.
#
# CONVKIT_CUDA_SASS_ARCHS: real architectures compiled to machine code (SASS). sm_80 code also runs on every 8.x GPU
#   (A100, A10, RTX 30xx/40xx, L4, L40), sm_90 on H100/H200.
# CONVKIT_CUDA_PTX_ARCH:   one virtual architecture embedded as PTX, which the driver JIT-compiles for newer GPUs
#   (Blackwell and later) at module load.
#
# convkit_cuda_gencode_flags(<out-var>) returns the matching nvcc -gencode options.

set(CONVKIT_CUDA_SASS_ARCHS "80;90" CACHE STRING "Real GPU architectures (SASS) of the ConvKit kernel fatbin")
set(CONVKIT_CUDA_PTX_ARCH "90" CACHE STRING "Virtual architecture embedded as PTX in the ConvKit kernel fatbin")

function(convkit_cuda_gencode_flags out_var)
    set(flags "")
    foreach(arch IN LISTS CONVKIT_CUDA_SASS_ARCHS)
        if(NOT arch MATCHES "^[0-9]+$")
            message(FATAL_ERROR "CONVKIT_CUDA_SASS_ARCHS entries must be numbers like 80 or 90, got '${arch}'")
        endif()
        list(APPEND flags "-gencode=arch=compute_${arch},code=sm_${arch}")
    endforeach()
    if(NOT CONVKIT_CUDA_PTX_ARCH MATCHES "^[0-9]+$")
        message(FATAL_ERROR "CONVKIT_CUDA_PTX_ARCH must be a number like 90, got '${CONVKIT_CUDA_PTX_ARCH}'")
    endif()
    list(APPEND flags "-gencode=arch=compute_${CONVKIT_CUDA_PTX_ARCH},code=compute_${CONVKIT_CUDA_PTX_ARCH}")
    set(${out_var} "${flags}" PARENT_SCOPE)
endfunction()
