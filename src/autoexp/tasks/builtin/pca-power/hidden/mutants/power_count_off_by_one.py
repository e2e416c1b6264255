# mutant-of: power.py::power_iteration
# bug: reports one iteration fewer than were performed (counts from 0)
def power_iteration(A, v0, max_iter, tol):
    v = v0 / np.linalg.norm(v0)
    iterations = max_iter
    for t in range(max_iter):
        w = A @ v
        v_next = w / np.linalg.norm(w)
        step = np.linalg.norm(v_next - v)
        v = v_next
        if step < tol:
            iterations = t
            break
    return PowerResult(float(v @ A @ v), fix_sign(v), iterations)
