/* cl_abicheck.h - checks that a built OpenCL program fits the kernel ABI
 * (docs/abi.md) beyond what clSetKernelArg sees: that it defines the entry
 * point (and, when not, which kernels it does define), and the declared
 * address space and type of each of the 12 arguments, read with
 * clGetKernelArgInfo (the program is built with -cl-kernel-arg-info). An
 * argument of the right size but the wrong type (`float M`, `long b` where a
 * buffer goes, a `__local` out) would otherwise run and give wrong numbers. */
#ifndef GH_CL_ABICHECK_H
#define GH_CL_ABICHECK_H

#include <stddef.h>

#include <CL/cl.h>

/* The build option that makes the argument types readable. */
#define CLAB_BUILD_OPTION "-cl-kernel-arg-info"

/* why := "the program defines no kernel named NAME; it defines: a, b" (or
 * "... defines no kernel at all"). Never fails. */
void clab_missing_kernel(cl_program prog, const char *name, char *why, size_t len);

/* 1 with why set (one sentence naming the argument, what it is declared as
 * and what the ABI passes) when an argument's address space or type does
 * not fit; 0 when all fit or the device gives no argument information
 * (then only clSetKernelArg's size checks apply). The kernel has 12
 * arguments. */
int clab_check_args(cl_kernel k, char *why, size_t len);

/* 1 with why set when the kernel's static __local memory
 * (CL_KERNEL_LOCAL_MEM_SIZE) exceeds the device's (CL_DEVICE_LOCAL_MEM_SIZE):
 * a launch would fail or, on some runtimes (PoCL), abort the process. 0
 * when it fits or either size cannot be read. */
int clab_check_local(cl_kernel k, cl_device_id dev, char *why, size_t len);

#endif
