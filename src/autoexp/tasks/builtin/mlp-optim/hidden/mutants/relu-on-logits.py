# mutant-of: mlp.py::forward
# bug: applies ReLU to the output layer as well, so negative logits are clipped to zero
def forward(params, X):
    a = X
    cache = []
    for layer in range(n_layers(params)):
        W = params[2 * layer]
        b = params[2 * layer + 1]
        cache.append(a)
        a = np.maximum(a @ W + b, 0.0)
    return a, cache
