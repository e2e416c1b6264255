# mutant-of: power.py::power_iteration
# bug: stops when the Rayleigh quotient changes by less than tol instead of the vector
def power_iteration(A, v0, max_iter, tol):
    v = v0 / np.linalg.norm(v0)
    value = float(v @ A @ v)
    iterations = max_iter
    for t in range(1, max_iter + 1):
        w = A @ v
        v = w / np.linalg.norm(w)
        new_value = float(v @ A @ v)
        if abs(new_value - value) < tol:
            value = new_value
            iterations = t
            break
        value = new_value
    return PowerResult(value, fix_sign(v), iterations)
