# mutant-of: data.py::split_observed
# bug: takes the LAST n_test permuted positions as the test set instead of the first
def split_observed(n_obs, test_frac, rng):
    perm = rng.permutation(n_obs)
    n_test = int(round(test_frac * n_obs))
    test = np.sort(perm[n_obs - n_test :])
    train = np.sort(perm[: n_obs - n_test])
    return train, test
