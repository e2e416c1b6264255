# mutant-of: power.py::power_iteration
# bug: returns the vector with whatever sign the iteration produced
def power_iteration(A, v0, max_iter, tol):
    v = v0 / np.linalg.norm(v0)
    iterations = max_iter
    for t in range(1, max_iter + 1):
        w = A @ v
        v_next = w / np.linalg.norm(w)
        step = np.linalg.norm(v_next - v)
        v = v_next
        if step < tol:
            iterations = t
            break
    return PowerResult(float(v @ A @ v), v, iterations)
