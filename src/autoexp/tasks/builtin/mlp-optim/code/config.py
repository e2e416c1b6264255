"""Fixed settings shared by all experiments (those reported in the paper)."""

N_TRAIN = 1000
N_TEST = 500
SPLIT_SEED = 0
INIT_SEED = 1
SHUFFLE_SEED = 2
HIDDEN = [64, 32]
N_CLASSES = 10
BATCH_SIZE = 50
EPOCHS = 10

OPTIMIZERS: dict[str, dict[str, float]] = {
    "sgd": {"lr": 0.05},
    "momentum": {"lr": 0.02, "mu": 0.9},
    "adam": {"lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}
