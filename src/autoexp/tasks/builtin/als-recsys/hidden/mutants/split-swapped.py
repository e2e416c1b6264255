# mutant-of: data.py::split_observed
# bug: returns (test, train) in the wrong order, so the model trains on 20 % of the data
def split_observed(n_obs, test_frac, rng):
    perm = rng.permutation(n_obs)
    n_test = int(round(test_frac * n_obs))
    return np.sort(perm[:n_test]), np.sort(perm[n_test:])
