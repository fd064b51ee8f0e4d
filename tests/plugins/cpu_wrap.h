/* cpu_wrap.h - the CPU plugin with its entry points renamed (cpu_gemm,
 * cpu_name), for the test plugins that wrap it: each includes this and
 * exports its own w4a16_gemm around cpu_gemm. */
#define w4a16_gemm cpu_gemm
#define w4a16_name cpu_name
#include "../../plugins/cpu/w4a16_cpu.c"
#undef w4a16_gemm
#undef w4a16_name
