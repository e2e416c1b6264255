# mutant-of: losses.py::cross_entropy
# bug: normalises the softmax over the batch axis instead of the class axis
def cross_entropy(logits, y):
    N = logits.shape[0]
    shifted = logits - logits.max(axis=0, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
    loss = -log_probs[np.arange(N), y].mean()
    dlogits = np.exp(log_probs)
    dlogits[np.arange(N), y] -= 1.0
    dlogits /= N
    return float(loss), dlogits
