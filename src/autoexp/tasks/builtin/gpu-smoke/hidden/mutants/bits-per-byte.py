# mutant-of: reduce.py::bit_count
# bug: counts only the bits of the lowest byte of each word
def bit_count(values):
    return sum(bin(v & 0xFF).count("1") for v in values)
