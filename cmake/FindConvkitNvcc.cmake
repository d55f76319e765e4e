# Locates nvcc for the kernel build and sets CONVKIT_NVCC (cache) and CONVKIT_NVCC_VERSION.
#
# Search order, the same as the Maven build's check: an explicit -DCONVKIT_NVCC=..., then nvcc on the PATH, then
# $CUDA_HOME/bin, then /usr/local/cuda/bin. The build fails with instructions when none is found.

if(NOT CONVKIT_NVCC)
    find_program(CONVKIT_NVCC NAMES nvcc NO_CMAKE_PATH NO_CMAKE_ENVIRONMENT_PATH NO_CMAKE_SYSTEM_PATH)
endif()
if(NOT CONVKIT_NVCC)
    find_program(CONVKIT_NVCC NAMES nvcc PATHS "$ENV{CUDA_HOME}/bin" /usr/local/cuda/bin NO_DEFAULT_PATH)
endif()
if(NOT CONVKIT_NVCC)
    message(FATAL_ERROR "nvcc (the CUDA compiler) was not found on the PATH, in $CUDA_HOME/bin or in "
                        "/usr/local/cuda/bin. Install the CUDA toolkit (12.x or 13.x) or pass -DCONVKIT_NVCC=/path/to/nvcc.")
endif()

execute_process(COMMAND "${CONVKIT_NVCC}" --version OUTPUT_VARIABLE _convkit_nvcc_out RESULT_VARIABLE _convkit_nvcc_rc)
if(NOT _convkit_nvcc_rc EQUAL 0)
    message(FATAL_ERROR "${CONVKIT_NVCC} --version failed (exit ${_convkit_nvcc_rc})")
endif()
string(REGEX MATCH "release ([0-9]+\\.[0-9]+)" _convkit_nvcc_match "${_convkit_nvcc_out}")
set(CONVKIT_NVCC_VERSION "${CMAKE_MATCH_1}")
if(CONVKIT_NVCC_VERSION VERSION_LESS 12.0)
    message(FATAL_ERROR "${CONVKIT_NVCC} is CUDA ${CONVKIT_NVCC_VERSION}; the kernels need CUDA 12.0 or newer")
endif()
message(STATUS "ConvKit kernels: nvcc ${CONVKIT_NVCC_VERSION} at ${CONVKIT_NVCC}")
