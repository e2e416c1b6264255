# mutant-of: mlp.py::forward
# bug: forgets to add the bias vectors
def forward(params, X):
    a = X
    cache = []
    L = n_layers(params)
    for layer in range(L):
        W = params[2 * layer]
        cache.append(a)
        z = a @ W
        a = np.maximum(z, 0.0) if layer < L - 1 else z
    return a, cache
