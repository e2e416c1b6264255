# mutant-of: stats.py::variance
# bug: divides by n instead of n - ddof
def variance(xs, ddof=1):
    m = mean(xs)
    return sum((x - m) ** 2 for x in xs) / len(xs)
