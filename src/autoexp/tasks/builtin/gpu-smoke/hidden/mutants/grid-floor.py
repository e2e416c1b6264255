# mutant-of: host.py::grid_size
# bug: rounds down, so the elements of the last, partial block are never processed
def grid_size(n, block):
    return n // block
