# mutant-of: calibration.py::fit_temperature
# bug: optimises a multiplier of the logits but returns it as if it were the temperature (1/T instead of T)
def fit_temperature(logits, y):
    res = minimize_scalar(
        lambda beta: nll_at_temperature(logits * beta, y, 1.0),
        bounds=T_BOUNDS,
        method="bounded",
        options={"xatol": 1e-8},
    )
    return float(res.x)
