# mutant-of: stats.py::mean
# bug: divides by n - 1
def mean(xs):
    return sum(xs) / (len(xs) - 1)
