# mutant-of: metrics.py::mean_nlpd
# bug: leaves out the 1/2 log(2 pi) constant of the Gaussian density
def mean_nlpd(y, mean, var_f, noise_std):
    s2 = var_f + noise_std**2
    return float(np.mean(0.5 * np.log(s2) + 0.5 * (y - mean) ** 2 / s2))
