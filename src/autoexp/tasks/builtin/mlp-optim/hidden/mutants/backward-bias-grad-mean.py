# mutant-of: mlp.py::backward
# bug: averages the bias gradient over the batch although dlogits already carries the 1/N
def backward(params, cache, dlogits):
    L = n_layers(params)
    grads = [None] * len(params)
    delta = dlogits
    for layer in range(L - 1, -1, -1):
        a_in = cache[layer]
        W = params[2 * layer]
        grads[2 * layer] = a_in.T @ delta
        grads[2 * layer + 1] = delta.mean(axis=0)
        if layer > 0:
            delta = (delta @ W.T) * (a_in > 0.0)
    return grads
