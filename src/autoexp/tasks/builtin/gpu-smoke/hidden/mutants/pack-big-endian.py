# mutant-of: host.py::pack_u32
# bug: big-endian byte order, so the device reads byte-swapped words
def pack_u32(values):
    return struct.pack(f">{len(values)}I", *values)
