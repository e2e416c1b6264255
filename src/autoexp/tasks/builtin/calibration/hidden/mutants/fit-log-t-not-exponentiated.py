# mutant-of: calibration.py::fit_temperature
# bug: minimises over log T but forgets to exponentiate the result
def fit_temperature(logits, y):
    res = minimize_scalar(
        lambda s: nll_at_temperature(logits, y, float(np.exp(s))),
        bounds=(np.log(T_BOUNDS[0]), np.log(T_BOUNDS[1])),
        method="bounded",
        options={"xatol": 1e-8},
    )
    return float(res.x)
