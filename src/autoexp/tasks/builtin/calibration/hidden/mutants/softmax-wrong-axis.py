# mutant-of: calibration.py::softmax_with_temperature
# bug: normalises over the samples (axis 0) instead of over the classes
def softmax_with_temperature(logits, T):
    z = logits / T
    z = z - z.max(axis=0, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=0, keepdims=True)
