# mutant-of: calibration.py::nll_at_temperature
# bug: returns the summed rather than the mean negative log-likelihood
def nll_at_temperature(logits, y, T):
    z = logits / T
    m = z.max(axis=1, keepdims=True)
    log_norm = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    return float(np.sum(log_norm - z[np.arange(len(y)), y]))
