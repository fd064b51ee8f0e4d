/* no_kernel.cl - helper functions only, no __kernel at all. */
static float twice(float x) { return 2.0f * x; }
