# mutant-of: host.py::make_input
# bug: returns x_0 .. x_{n-1}, so the seed itself is the first input word
def make_input(n, seed):
    values = []
    state = seed & MASK32
    for _ in range(n):
        values.append(state)
        state = (LCG_MULTIPLIER * state + LCG_INCREMENT) & MASK32
    return values
