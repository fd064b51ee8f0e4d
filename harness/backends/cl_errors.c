/* cl_errors.c - see cl_errors.h. The table lists every error code of the
 * OpenCL 1.2 specification (cl.h), in order. */
#include "backends/cl_errors.h"

#include <stddef.h>

#define CLE(code)                                                                                  \
    { code, #code }

static const struct {
    cl_int code;
    const char *name;
} cl_error_table[] = {
    CLE(CL_SUCCESS),
    CLE(CL_DEVICE_NOT_FOUND),
    CLE(CL_DEVICE_NOT_AVAILABLE),
    CLE(CL_COMPILER_NOT_AVAILABLE),
    CLE(CL_MEM_OBJECT_ALLOCATION_FAILURE),
    CLE(CL_OUT_OF_RESOURCES),
    CLE(CL_OUT_OF_HOST_MEMORY),
    CLE(CL_PROFILING_INFO_NOT_AVAILABLE),
    CLE(CL_MEM_COPY_OVERLAP),
    CLE(CL_IMAGE_FORMAT_MISMATCH),
    CLE(CL_IMAGE_FORMAT_NOT_SUPPORTED),
    CLE(CL_BUILD_PROGRAM_FAILURE),
    CLE(CL_MAP_FAILURE),
    CLE(CL_MISALIGNED_SUB_BUFFER_OFFSET),
    CLE(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST),
    CLE(CL_COMPILE_PROGRAM_FAILURE),
    CLE(CL_LINKER_NOT_AVAILABLE),
    CLE(CL_LINK_PROGRAM_FAILURE),
    CLE(CL_DEVICE_PARTITION_FAILED),
    CLE(CL_KERNEL_ARG_INFO_NOT_AVAILABLE),
    CLE(CL_INVALID_VALUE),
    CLE(CL_INVALID_DEVICE_TYPE),
    CLE(CL_INVALID_PLATFORM),
    CLE(CL_INVALID_DEVICE),
    CLE(CL_INVALID_CONTEXT),
    CLE(CL_INVALID_QUEUE_PROPERTIES),
    CLE(CL_INVALID_COMMAND_QUEUE),
    CLE(CL_INVALID_HOST_PTR),
    CLE(CL_INVALID_MEM_OBJECT),
    CLE(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR),
    CLE(CL_INVALID_IMAGE_SIZE),
    CLE(CL_INVALID_SAMPLER),
    CLE(CL_INVALID_BINARY),
    CLE(CL_INVALID_BUILD_OPTIONS),
    CLE(CL_INVALID_PROGRAM),
    CLE(CL_INVALID_PROGRAM_EXECUTABLE),
    CLE(CL_INVALID_KERNEL_NAME),
    CLE(CL_INVALID_KERNEL_DEFINITION),
    CLE(CL_INVALID_KERNEL),
    CLE(CL_INVALID_ARG_INDEX),
    CLE(CL_INVALID_ARG_VALUE),
    CLE(CL_INVALID_ARG_SIZE),
    CLE(CL_INVALID_KERNEL_ARGS),
    CLE(CL_INVALID_WORK_DIMENSION),
    CLE(CL_INVALID_WORK_GROUP_SIZE),
    CLE(CL_INVALID_WORK_ITEM_SIZE),
    CLE(CL_INVALID_GLOBAL_OFFSET),
    CLE(CL_INVALID_EVENT_WAIT_LIST),
    CLE(CL_INVALID_EVENT),
    CLE(CL_INVALID_OPERATION),
    CLE(CL_INVALID_GL_OBJECT),
    CLE(CL_INVALID_BUFFER_SIZE),
    CLE(CL_INVALID_MIP_LEVEL),
    CLE(CL_INVALID_GLOBAL_WORK_SIZE),
    CLE(CL_INVALID_PROPERTY),
    CLE(CL_INVALID_IMAGE_DESCRIPTOR),
    CLE(CL_INVALID_COMPILER_OPTIONS),
    CLE(CL_INVALID_LINKER_OPTIONS),
    CLE(CL_INVALID_DEVICE_PARTITION_COUNT),
    /* Returned by ICD loaders (cl_khr_icd) when no platform is installed. */
    {-1001, "CL_PLATFORM_NOT_FOUND_KHR"},
};

#undef CLE

const char *cl_err_name_or_null(cl_int code) {
    for (size_t i = 0; i < sizeof cl_error_table / sizeof cl_error_table[0]; i++)
        if (cl_error_table[i].code == code) return cl_error_table[i].name;
    return NULL;
}

const char *cl_err_name(cl_int code) {
    const char *name = cl_err_name_or_null(code);
    return name ? name : "CL_UNKNOWN_ERROR";
}
