/* cl_abicheck.c - the entry point and argument checks of cl_abicheck.h. */
#include "backends/cl_abicheck.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "backends/cl_errors.h"
#include "util/units.h"

#define NARGS 12
#define NBUFS 7 /* a, b, scale, zp, perm, bias, out: __global buffers */

static const char *const ABI_NAMES[NARGS] = {"a",   "b", "scale", "zp", "perm",       "bias",
                                             "out", "M", "N",     "K",  "group_size", "zp_scalar"};

void clab_missing_kernel(cl_program prog, const char *name, char *why, size_t len) {
    char names[512] = "";
    size_t need = 0;
    cl_int rc = clGetProgramInfo(prog, CL_PROGRAM_KERNEL_NAMES, sizeof names, names, &need);
    if (rc != CL_SUCCESS) {
        snprintf(why, len, "the program defines no kernel named %s (its kernel names: %s)", name,
                 cl_err_name(rc));
        return;
    }
    names[sizeof names - 1] = '\0';
    if (!names[0]) {
        snprintf(why, len,
                 "the program defines no kernel at all (an empty file, or only helper functions); "
                 "the ABI calls __kernel void %s(...)",
                 name);
        return;
    }
    /* the runtime separates names with ';' */
    for (char *c = names; *c; c++)
        if (*c == ';') *c = ',';
    snprintf(why, len, "the program defines no kernel named %s; it defines: %s%s", name, names,
             need > sizeof names ? ", ..." : "");
}

/* 1 when t names a built-in OpenCL C scalar or vector type other than a
 * 32-bit integer ("float", "half", "long", "int2", "uchar4", ...). A name
 * the table does not know (a typedef) is given the benefit of the doubt. */
static int other_builtin(const char *t) {
    static const char *const ok[] = {"int",     "uint",     "unsigned int", "signed int",
                                     "int32_t", "uint32_t", "unsigned",     "signed"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(t, ok[i]) == 0) return 0;
    static const char *const bases[] = {
        "float", "half", "double", "char", "uchar",  "short",     "ushort",   "long",
        "ulong", "bool", "int",    "uint", "size_t", "ptrdiff_t", "intptr_t", "uintptr_t"};
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        size_t n = strlen(bases[i]);
        if (strncmp(t, bases[i], n) != 0) continue;
        const char *rest = t + n;
        while (isdigit((unsigned char)*rest))
            rest++;
        if (!*rest) return 1;
    }
    return 0;
}

static const char *space_name(cl_kernel_arg_address_qualifier q) {
    switch (q) {
    case CL_KERNEL_ARG_ADDRESS_GLOBAL:
        return "__global";
    case CL_KERNEL_ARG_ADDRESS_LOCAL:
        return "__local";
    case CL_KERNEL_ARG_ADDRESS_CONSTANT:
        return "__constant";
    default:
        return "private";
    }
}

/* why for argument i when it does not fit, else "" */
static void check_one(int i, cl_kernel_arg_address_qualifier q, const char *type, const char *decl,
                      char *why, size_t len) {
    const int pointer = strchr(type, '*') != NULL;
    why[0] = '\0';
    if (i < NBUFS) {
        const int space_ok = q == CL_KERNEL_ARG_ADDRESS_GLOBAL ||
                             (q == CL_KERNEL_ARG_ADDRESS_CONSTANT && i != NBUFS - 1);
        if (pointer && space_ok) return;
        snprintf(why, len,
                 "argument %d (the ABI's %s) is declared %s%s%s '%s %s'; the ABI passes a __global "
                 "buffer%s",
                 i, ABI_NAMES[i], pointer ? "as a " : "as a non-pointer",
                 pointer ? space_name(q) : "", pointer ? " pointer" : "", type, decl,
                 i == NBUFS - 1 ? " the kernel writes" : " (__global or __constant)");
        return;
    }
    if (!pointer && q == CL_KERNEL_ARG_ADDRESS_PRIVATE && !other_builtin(type)) return;
    snprintf(why, len, "argument %d (the ABI's %s) is declared '%s %s'; the ABI passes int %s", i,
             ABI_NAMES[i], type, decl, ABI_NAMES[i]);
}

int clab_check_args(cl_kernel k, char *why, size_t len) {
    for (cl_uint i = 0; i < NARGS; i++) {
        cl_kernel_arg_address_qualifier q = 0;
        char type[128] = "", decl[128] = "";
        cl_int rc = clGetKernelArgInfo(k, i, CL_KERNEL_ARG_ADDRESS_QUALIFIER, sizeof q, &q, NULL);
        if (rc == CL_SUCCESS)
            rc = clGetKernelArgInfo(k, i, CL_KERNEL_ARG_TYPE_NAME, sizeof type, type, NULL);
        if (rc != CL_SUCCESS) return 0; /* no argument information: nothing to check */
        if (clGetKernelArgInfo(k, i, CL_KERNEL_ARG_NAME, sizeof decl, decl, NULL) != CL_SUCCESS)
            snprintf(decl, sizeof decl, "(unnamed)");
        type[sizeof type - 1] = decl[sizeof decl - 1] = '\0';
        check_one((int)i, q, type, decl, why, len);
        if (why[0]) return 1;
    }
    return 0;
}

int clab_check_local(cl_kernel k, cl_device_id dev, char *why, size_t len) {
    cl_ulong need = 0, have = 0;
    if (clGetKernelWorkGroupInfo(k, dev, CL_KERNEL_LOCAL_MEM_SIZE, sizeof need, &need, NULL) !=
            CL_SUCCESS ||
        clGetDeviceInfo(dev, CL_DEVICE_LOCAL_MEM_SIZE, sizeof have, &have, NULL) != CL_SUCCESS ||
        have == 0 || need <= have)
        return 0;
    char n[32], h[32];
    fmt_bytes(n, sizeof n, (double)need);
    fmt_bytes(h, sizeof h, (double)have);
    snprintf(why, len,
             "w4a16_gemm needs %s of __local memory (CL_KERNEL_LOCAL_MEM_SIZE, %llu bytes); the "
             "device has %s (CL_DEVICE_LOCAL_MEM_SIZE, %llu bytes): no launch of it can run here",
             n, (unsigned long long)need, h, (unsigned long long)have);
    return 1;
}
