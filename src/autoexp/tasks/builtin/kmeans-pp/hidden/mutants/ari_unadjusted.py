# mutant-of: metrics.py::adjusted_rand_index
# bug: returns the plain Rand index, without the chance correction
def adjusted_rand_index(a, b):
    table = contingency(a, b)
    n = int(table.sum())
    total = n * (n - 1) / 2.0
    same_both = float(np.sum(table * (table - 1)) / 2.0)
    same_a = float(np.sum(table.sum(axis=1) * (table.sum(axis=1) - 1)) / 2.0)
    same_b = float(np.sum(table.sum(axis=0) * (table.sum(axis=0) - 1)) / 2.0)
    return (total + 2.0 * same_both - same_a - same_b) / total
