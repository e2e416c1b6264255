# mutant-of: calibration.py::nll_at_temperature
# bug: divides the true-class logit by T but takes the log-sum-exp of the unscaled logits
def nll_at_temperature(logits, y, T):
    m = logits.max(axis=1, keepdims=True)
    log_norm = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
    return float(np.mean(log_norm - logits[np.arange(len(y)), y] / T))
