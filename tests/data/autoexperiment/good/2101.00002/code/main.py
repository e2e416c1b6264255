import random

from linfit import fit, mse, predict

rng = random.Random(3)
xs = [i / 10 for i in range(40)]
ys = [0.8 * x - 0.5 + rng.gauss(0.0, 0.1) for x in xs]
slope, bias = fit(xs, ys)
print("fitted line: slope %.4f bias %.4f" % (slope, bias))
print("final loss: %.6f" % mse(ys, predict(slope, bias, xs)))
