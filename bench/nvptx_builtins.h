/* nvptx_builtins.h - stand-ins for the OpenCL builtins that the tuned kernel
 * calls, for bench/nvptx_regs.sh only. clang's nvptx64-nvidia-nvcl target
 * leaves OpenCL's builtins as external calls, which ptxas cannot link; these
 * inline versions (work-item ids from the PTX special registers, the vector
 * loads and stores element by element) let ptxas allocate registers for the
 * whole kernel. They are close to, not the same as, what NVIDIA's own OpenCL
 * compiler emits, so the counts are an estimate; the device's PTX
 * (bench/ocl_candidates.sh) is the measurement. */
#pragma OPENCL EXTENSION cl_khr_fp16 : enable
#define NV_OV __attribute__((overloadable)) static inline
NV_OV size_t nv_lid(uint d) {
    return d == 0   ? __nvvm_read_ptx_sreg_tid_x()
           : d == 1 ? __nvvm_read_ptx_sreg_tid_y()
                    : __nvvm_read_ptx_sreg_tid_z();
}
NV_OV size_t nv_gid(uint d) {
    return d == 0   ? __nvvm_read_ptx_sreg_ctaid_x()
           : d == 1 ? __nvvm_read_ptx_sreg_ctaid_y()
                    : __nvvm_read_ptx_sreg_ctaid_z();
}
#define get_local_id(d) nv_lid(d)
#define get_group_id(d) nv_gid(d)
#define barrier(f) __nvvm_bar_sync(0)
#define vload_half(i, p) ((float)(p)[i])
#define vstore_half_rte(v, i, p) ((p)[i] = (half)(v))
NV_OV float8 nv_vh8(__global const half *p) {
    return (float8)(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
}
#define vload_half8(i, p) nv_vh8((p) + 8 * (i))
NV_OV float nv_fma(float a, float b, float c) {
    return __builtin_fmaf(a, b, c);
}
NV_OV float2 nv_fma(float2 a, float2 b, float2 c) {
    return (float2)(__builtin_fmaf(a.x, b.x, c.x), __builtin_fmaf(a.y, b.y, c.y));
}
NV_OV float4 nv_fma(float4 a, float4 b, float4 c) {
    return (float4)(nv_fma(a.xy, b.xy, c.xy), nv_fma(a.zw, b.zw, c.zw));
}
#define fma nv_fma
NV_OV float nv_dot(float4 a, float4 b) {
    return a.x * b.x + a.y * b.y + a.z * b.z + a.w * b.w;
}
#define dot nv_dot
NV_OV int nv_min(int a, int b) {
    return a < b ? a : b;
}
#define min nv_min
NV_OV ushort2 nv_vload2(size_t i, __global const ushort *p) {
    return (ushort2)(p[2 * i], p[2 * i + 1]);
}
#define vload2 nv_vload2
NV_OV float8 nv_vload8(size_t i, __local const float *p) {
    p += 8 * i;
    return (float8)(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
}
#define vload8 nv_vload8
NV_OV void nv_vstore8(float8 v, size_t i, __local float *p) {
    p += 8 * i;
    p[0] = v.s0, p[1] = v.s1, p[2] = v.s2, p[3] = v.s3, p[4] = v.s4, p[5] = v.s5, p[6] = v.s6,
    p[7] = v.s7;
}
#define vstore8 nv_vstore8
NV_OV float8 nv_cf8(uint8 v) {
    return (float8)((float)v.s0, (float)v.s1, (float)v.s2, (float)v.s3, (float)v.s4, (float)v.s5,
                    (float)v.s6, (float)v.s7);
}
#define convert_float8 nv_cf8
