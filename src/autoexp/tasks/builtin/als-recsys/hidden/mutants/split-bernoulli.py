# mutant-of: data.py::split_observed
# bug: flips an independent coin per entry instead of permuting
def split_observed(n_obs, test_frac, rng):
    is_test = rng.random(n_obs) < test_frac
    return np.flatnonzero(~is_test), np.flatnonzero(is_test)
