"""The device side: one CUDA kernel, launched through the CUDA driver API with ctypes.

No Python package is needed, only the NVIDIA driver's libcuda.so.1. The kernel is embedded
as PTX (ISA 6.0, target sm_50) and compiled by the driver when it is loaded, so it runs on
any GPU and driver from CUDA 10 on. Every failure raises CudaUnavailable with the driver's
message: the experiment must fail loudly without a GPU, never fall back to the CPU.
"""

from __future__ import annotations

import ctypes
import os

PTX = b"""

.version 6.0
.target sm_50
.address_size 64

	// .globl	mix

.visible .entry mix(
	.param .u64 mix_param_0,
	.param .u64 mix_param_1,
	.param .u32 mix_param_2
)
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<13>;
	.reg .b64 	%rd<8>;


	ld.param.u64 	%rd1, [mix_param_0];
	ld.param.u64 	%rd2, [mix_param_1];
	ld.param.u32 	%r2, [mix_param_2];
	mov.u32 	%r3, %ctaid.x;
	mov.u32 	%r4, %ntid.x;
	mov.u32 	%r5, %tid.x;
	mad.lo.s32 	%r1, %r3, %r4, %r5;
	setp.ge.u32 	%p1, %r1, %r2;
	@%p1 bra 	DONE;

	cvta.to.global.u64 	%rd3, %rd1;
	mul.wide.u32 	%rd4, %r1, 4;
	add.s64 	%rd5, %rd3, %rd4;
	ld.global.u32 	%r6, [%rd5];
	shr.u32 	%r7, %r6, 16;
	xor.b32  	%r8, %r7, %r6;
	mul.lo.s32 	%r9, %r8, 73244475;
	shr.u32 	%r10, %r9, 16;
	xor.b32  	%r11, %r9, %r1;
	xor.b32  	%r12, %r11, %r10;
	cvta.to.global.u64 	%rd6, %rd2;
	add.s64 	%rd7, %rd6, %rd4;
	st.global.u32 	[%rd7], %r12;

DONE:
	ret;

}

"""
"""The kernel `mix`: y[i] = h(x[i]) ^ i for i < n, where h(v) = w ^ (w >> 16) with
w = (v ^ (v >> 16)) * 0x45d9f3b mod 2**32 (all arithmetic on unsigned 32-bit words)."""


class CudaUnavailable(RuntimeError):
    """CUDA cannot be used here: no driver, no visible device, or a driver call failed."""


def _driver() -> ctypes.CDLL:
    try:
        return ctypes.CDLL("libcuda.so.1")
    except OSError as e:
        raise CudaUnavailable(f"the CUDA driver library libcuda.so.1 cannot be loaded: {e}") from e


def _check(lib: ctypes.CDLL, status: int, call: str) -> None:
    if status == 0:
        return
    name = ctypes.c_char_p()
    lib.cuGetErrorName(status, ctypes.byref(name))
    text = name.value.decode() if name.value else "unknown error"
    raise CudaUnavailable(f"{call} failed: {text} ({status})")


def device_count() -> int:
    """Number of CUDA devices this process can see (raises CudaUnavailable when none)."""
    lib = _driver()
    _check(lib, lib.cuInit(0), "cuInit")
    count = ctypes.c_int()
    _check(lib, lib.cuDeviceGetCount(ctypes.byref(count)), "cuDeviceGetCount")
    if count.value < 1:
        visible = os.environ.get("CUDA_VISIBLE_DEVICES")
        raise CudaUnavailable(f"no CUDA device is visible (CUDA_VISIBLE_DEVICES={visible!r})")
    return count.value


def run_mix(data: bytes, n: int, grid: int, block: int) -> bytes:
    """Launch `mix` on device 0 with `grid` blocks of `block` threads on the n words in
    `data`; return the n output words as bytes (zero where no thread wrote)."""
    device_count()
    lib = _driver()
    u64 = ctypes.c_uint64
    dev, ctx = ctypes.c_int(), ctypes.c_void_p()
    _check(lib, lib.cuDeviceGet(ctypes.byref(dev), 0), "cuDeviceGet")
    _check(lib, lib.cuDevicePrimaryCtxRetain(ctypes.byref(ctx), dev), "cuDevicePrimaryCtxRetain")
    try:
        _check(lib, lib.cuCtxSetCurrent(ctx), "cuCtxSetCurrent")
        module, func = ctypes.c_void_p(), ctypes.c_void_p()
        _check(lib, lib.cuModuleLoadData(ctypes.byref(module), PTX), "cuModuleLoadData")
        found = lib.cuModuleGetFunction(ctypes.byref(func), module, b"mix")
        _check(lib, found, "cuModuleGetFunction")
        size = 4 * n
        x, y = u64(), u64()
        _check(lib, lib.cuMemAlloc_v2(ctypes.byref(x), ctypes.c_size_t(size)), "cuMemAlloc")
        _check(lib, lib.cuMemAlloc_v2(ctypes.byref(y), ctypes.c_size_t(size)), "cuMemAlloc")
        try:
            _check(lib, lib.cuMemcpyHtoD_v2(x, data, ctypes.c_size_t(size)), "cuMemcpyHtoD")
            _check(lib, lib.cuMemsetD32_v2(y, ctypes.c_uint(0), ctypes.c_size_t(n)), "cuMemsetD32")
            count = ctypes.c_uint32(n)
            args = (ctypes.c_void_p * 3)(
                ctypes.cast(ctypes.byref(x), ctypes.c_void_p),
                ctypes.cast(ctypes.byref(y), ctypes.c_void_p),
                ctypes.cast(ctypes.byref(count), ctypes.c_void_p),
            )
            _check(
                lib,
                lib.cuLaunchKernel(func, grid, 1, 1, block, 1, 1, 0, None, args, None),
                "cuLaunchKernel",
            )
            _check(lib, lib.cuCtxSynchronize(), "cuCtxSynchronize")
            out = ctypes.create_string_buffer(size)
            _check(lib, lib.cuMemcpyDtoH_v2(out, y, ctypes.c_size_t(size)), "cuMemcpyDtoH")
            return out.raw
        finally:
            lib.cuMemFree_v2(x)
            lib.cuMemFree_v2(y)
            lib.cuModuleUnload(module)
    finally:
        release = getattr(lib, "cuDevicePrimaryCtxRelease_v2", None)  # CUDA >= 11
        (release or lib.cuDevicePrimaryCtxRelease)(dev)
