# mutant-of: metrics.py::adjusted_rand_index
# bug: counts pairs as x^2 / 2 instead of x(x - 1) / 2
def adjusted_rand_index(a, b):
    table = contingency(a, b)
    n = int(table.sum())
    index = float(np.sum(table**2) / 2.0)
    rows = float(np.sum(table.sum(axis=1) ** 2) / 2.0)
    cols = float(np.sum(table.sum(axis=0) ** 2) / 2.0)
    expected = rows * cols / (n * n / 2.0)
    maximum = 0.5 * (rows + cols)
    return (index - expected) / (maximum - expected)
