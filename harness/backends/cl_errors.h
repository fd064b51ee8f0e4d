/* cl_errors.h - names of OpenCL error codes (every code of OpenCL 1.2, plus
 * the ICD loader's CL_PLATFORM_NOT_FOUND_KHR), for messages such as
 * "clEnqueueNDRangeKernel: CL_OUT_OF_RESOURCES". */
#ifndef GH_CL_ERRORS_H
#define GH_CL_ERRORS_H

#include <CL/cl.h>

/* The symbolic name of code ("CL_SUCCESS", "CL_INVALID_VALUE", ...), or
 * NULL when the code is not a known OpenCL 1.2 error. Never fails. */
const char *cl_err_name_or_null(cl_int code);

/* As above, but "CL_UNKNOWN_ERROR" for an unknown code (callers that want the
 * number print it themselves). */
const char *cl_err_name(cl_int code);

#endif
