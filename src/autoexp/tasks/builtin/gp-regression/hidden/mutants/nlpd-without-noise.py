# mutant-of: metrics.py::mean_nlpd
# bug: scores the targets against the latent variance only, forgetting the observation noise
def mean_nlpd(y, mean, var_f, noise_std):
    s2 = np.maximum(var_f, 1e-12)
    return float(np.mean(0.5 * np.log(2.0 * np.pi * s2) + 0.5 * (y - mean) ** 2 / s2))
