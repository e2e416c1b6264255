# mutant-of: losses.py::HuberLoss.leaf_values
# bug: averages the clipped residuals around zero instead of around the leaf median
def leaf_values(self, y, f, leaf, n_leaves):
    out = np.zeros(n_leaves)
    for j in range(n_leaves):
        r = (y - f)[leaf == j]
        out[j] = np.mean(np.clip(r, -self.delta, self.delta))
    return out
