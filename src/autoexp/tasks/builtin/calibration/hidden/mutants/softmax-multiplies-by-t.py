# mutant-of: calibration.py::softmax_with_temperature
# bug: multiplies the logits by T instead of dividing them
def softmax_with_temperature(logits, T):
    z = logits * T
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
