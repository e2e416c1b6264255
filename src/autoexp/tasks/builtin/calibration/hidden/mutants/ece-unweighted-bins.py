# mutant-of: metrics.py::expected_calibration_error
# bug: averages the per-bin gaps over the non-empty bins instead of weighting them by bin size
def expected_calibration_error(probs, y, n_bins):
    conf = probs.max(axis=1)
    correct = (np.argmax(probs, axis=1) == y).astype(np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    gaps = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        in_bin = (conf > lo) & (conf <= hi)
        if in_bin.any():
            gaps.append(abs(correct[in_bin].mean() - conf[in_bin].mean()))
    return float(np.mean(gaps))
