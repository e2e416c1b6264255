"""Settings of the experiments reported in the paper."""

N_TRAIN = 30
N_TEST = 200
NOISE_STD = 0.2
DATA_SEED = 3

# A deliberately untuned guess, used to show what fitting buys.
DEFAULT_HYPER = {"lengthscale": 1.5, "signal_std": 0.8, "noise_std": 0.4}

# Starting points of the local optimisations, as [log lengthscale, log signal_std, log noise_std].
STARTS = [
    [2.0, 0.0, 0.0],
    [0.0, 0.0, -1.0],
    [-1.0, -1.0, -2.0],
]
