# mutant-of: mlp.py::forward
# bug: caches each layer's pre-activation z instead of the layer input, shifted by one layer
def forward(params, X):
    a = X
    cache = [X]
    L = n_layers(params)
    for layer in range(L):
        W = params[2 * layer]
        b = params[2 * layer + 1]
        z = a @ W + b
        if layer < L - 1:
            cache.append(z)
            a = np.maximum(z, 0.0)
        else:
            a = z
    return a, cache
