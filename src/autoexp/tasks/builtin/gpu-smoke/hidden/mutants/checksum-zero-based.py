# mutant-of: reduce.py::checksum
# bug: weights by k instead of k + 1, so the first word does not count
def checksum(values):
    total = 0
    for k, v in enumerate(values):
        total = (total + k * v) % MODULUS
    return total
