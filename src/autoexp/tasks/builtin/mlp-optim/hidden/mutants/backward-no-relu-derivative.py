# mutant-of: mlp.py::backward
# bug: forgets the ReLU derivative and propagates the gradient through inactive units
def backward(params, cache, dlogits):
    L = n_layers(params)
    grads = [None] * len(params)
    delta = dlogits
    for layer in range(L - 1, -1, -1):
        a_in = cache[layer]
        W = params[2 * layer]
        grads[2 * layer] = a_in.T @ delta
        grads[2 * layer + 1] = delta.sum(axis=0)
        delta = delta @ W.T
    return grads
