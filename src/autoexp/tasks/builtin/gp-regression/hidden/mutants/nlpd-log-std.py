# mutant-of: metrics.py::mean_nlpd
# bug: uses the log of the standard deviation where the log variance belongs in the normaliser
def mean_nlpd(y, mean, var_f, noise_std):
    s2 = var_f + noise_std**2
    return float(np.mean(0.5 * np.log(2.0 * np.pi * np.sqrt(s2)) + 0.5 * (y - mean) ** 2 / s2))
