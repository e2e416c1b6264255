# mutant-of: spectral.py::spectral_embedding
# bug: drops the leading (constant-like) eigenvector and uses eigenvectors 2..k+1
def spectral_embedding(M, k):
    vals, vecs = np.linalg.eigh(M)
    order = np.argsort(vals)[::-1][1 : k + 1]
    U = vecs[:, order]
    U = U / np.linalg.norm(U, axis=1, keepdims=True)
    return U, vals[np.argsort(vals)[::-1][:k]]
