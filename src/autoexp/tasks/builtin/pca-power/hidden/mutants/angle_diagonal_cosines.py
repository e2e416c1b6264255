# mutant-of: metrics.py::max_principal_angle
# bug: pairs the columns one to one (diagonal of V1^T V2) instead of using singular values
def max_principal_angle(V1, V2):
    cosines = np.abs(np.sum(V1 * V2, axis=0))
    return float(np.degrees(np.arccos(np.clip(cosines.min(), -1.0, 1.0))))
