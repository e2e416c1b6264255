# mutant-of: losses.py::cross_entropy
# bug: sums the loss over the batch and does not divide the gradient by N
def cross_entropy(logits, y):
    N = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(N), y].sum()
    dlogits = np.exp(log_probs)
    dlogits[np.arange(N), y] -= 1.0
    return float(loss), dlogits
