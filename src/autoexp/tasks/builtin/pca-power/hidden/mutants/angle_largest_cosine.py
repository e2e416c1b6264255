# mutant-of: metrics.py::max_principal_angle
# bug: uses the largest cosine, i.e. returns the smallest principal angle
def max_principal_angle(V1, V2):
    Q1, _ = np.linalg.qr(V1)
    Q2, _ = np.linalg.qr(V2)
    cosines = np.linalg.svd(Q1.T @ Q2, compute_uv=False)
    return float(np.degrees(np.arccos(np.clip(cosines.max(), -1.0, 1.0))))
