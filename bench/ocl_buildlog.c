/* ocl_buildlog.c - builds an OpenCL kernel file for the first GPU device with
 * extra build options, prints the build log and writes the program binary (a
 * tuning aid, not part of the harness). On NVIDIA's OpenCL the binary is the
 * PTX its compiler made, which `ptxas -arch=sm_90 -v` on the development
 * machine turns into registers, spills and shared memory per kernel (OpenCL
 * has no query for them). Driver 580.159.04 refused "-cl-nv-verbose" (-43,
 * CL_INVALID_BUILD_OPTIONS), so the log alone does not show them there.
 *
 *   build/ocl-buildlog KERNEL.cl "OPTIONS" [PTX_OUT]
 *
 * The first GPU device, else the first device of any kind (PoCL here).
 * PTX_OUT: where to write the program binary (PTX on NVIDIA's OpenCL).
 * Exit: 0 built, 1 the build failed (the log is printed either way), 2 usage
 * or no device. */
#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>
#include <stdio.h>
#include <stdlib.h>

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
        buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    return buf;
}

static int write_binary(cl_program prog, const char *path) {
    size_t size = 0;
    if (clGetProgramInfo(prog, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) != CL_SUCCESS ||
        size == 0)
        return fprintf(stderr, "ocl-buildlog: no program binary\n"), 1;
    unsigned char *bin = malloc(size);
    FILE *f = bin ? fopen(path, "wb") : NULL;
    int rc = 1;
    if (f && clGetProgramInfo(prog, CL_PROGRAM_BINARIES, sizeof bin, &bin, NULL) == CL_SUCCESS &&
        fwrite(bin, 1, size, f) == size)
        rc = 0;
    if (f && fclose(f) != 0) rc = 1;
    if (rc) fprintf(stderr, "ocl-buildlog: could not write %s\n", path);
    free(bin);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: ocl-buildlog KERNEL.cl \"OPTIONS\" [PTX_OUT]\n");
        return 2;
    }
    size_t len = 0;
    char *src = slurp(argv[1], &len);
    if (!src) return fprintf(stderr, "ocl-buildlog: cannot read %s\n", argv[1]), 2;
    cl_platform_id plats[8];
    cl_uint np = 0;
    cl_device_id dev = NULL;
    const cl_device_type types[2] = {CL_DEVICE_TYPE_GPU, CL_DEVICE_TYPE_ALL}; /* a GPU first */
    if (clGetPlatformIDs(8, plats, &np) == CL_SUCCESS)
        for (int ty = 0; ty < 2 && !dev; ty++)
            for (cl_uint i = 0; i < np && i < 8 && !dev; i++)
                if (clGetDeviceIDs(plats[i], types[ty], 1, &dev, NULL) != CL_SUCCESS) dev = NULL;
    if (!dev) return fprintf(stderr, "ocl-buildlog: no OpenCL device\n"), 2;
    cl_int err = CL_SUCCESS;
    cl_context ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
    if (err != CL_SUCCESS) return fprintf(stderr, "ocl-buildlog: clCreateContext: %d\n", err), 2;
    const char *srcs[1] = {src};
    cl_program prog = clCreateProgramWithSource(ctx, 1, srcs, &len, &err);
    if (err != CL_SUCCESS)
        return fprintf(stderr, "ocl-buildlog: clCreateProgramWithSource: %d\n", err), 2;
    const cl_int built = clBuildProgram(prog, 1, &dev, argv[2], NULL, NULL);
    size_t loglen = 0;
    char *log = NULL;
    if (clGetProgramBuildInfo(prog, dev, CL_PROGRAM_BUILD_LOG, 0, NULL, &loglen) == CL_SUCCESS &&
        (log = malloc(loglen + 1)) != NULL &&
        clGetProgramBuildInfo(prog, dev, CL_PROGRAM_BUILD_LOG, loglen, log, NULL) == CL_SUCCESS) {
        log[loglen] = '\0';
        printf("%s\n", log);
    }
    free(log);
    int rc = built == CL_SUCCESS ? 0 : 1;
    if (built != CL_SUCCESS) fprintf(stderr, "ocl-buildlog: clBuildProgram: %d\n", built);
    if (built == CL_SUCCESS && argc == 4 && write_binary(prog, argv[3])) rc = 1;
    clReleaseProgram(prog);
    clReleaseContext(ctx);
    free(src);
    return rc;
}
