# mutant-of: metrics.py::expected_calibration_error
# bug: uses the probability of the true class as the confidence instead of the largest probability
def expected_calibration_error(probs, y, n_bins):
    conf = probs[np.arange(len(y)), y]
    correct = (np.argmax(probs, axis=1) == y).astype(np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        in_bin = (conf > lo) & (conf <= hi)
        if in_bin.any():
            ece += in_bin.mean() * abs(correct[in_bin].mean() - conf[in_bin].mean())
    return float(ece)
