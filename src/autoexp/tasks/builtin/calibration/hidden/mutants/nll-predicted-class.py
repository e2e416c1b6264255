# mutant-of: calibration.py::nll_at_temperature
# bug: scores the probability of the predicted class instead of the true label
def nll_at_temperature(logits, y, T):
    z = logits / T
    m = z.max(axis=1, keepdims=True)
    log_norm = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    pred = np.argmax(z, axis=1)
    return float(np.mean(log_norm - z[np.arange(len(y)), pred]))
