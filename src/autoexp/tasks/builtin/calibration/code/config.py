"""Settings of the experiments reported in the paper."""

N_TRAIN = 150
N_VAL = 500
N_TEST = 800
SPLIT_SEED = 0

LEARNING_RATE = 1.0
STEPS = 2000

N_BINS = 15
BIN_COUNTS = [5, 10, 20]
