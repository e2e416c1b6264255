# mutant-of: spectral.py::spectral_embedding
# bug: takes the eigenvectors of the k smallest eigenvalues (the Laplacian convention) of M
def spectral_embedding(M, k):
    vals, vecs = np.linalg.eigh(M)
    U = vecs[:, :k]
    U = U / np.linalg.norm(U, axis=1, keepdims=True)
    return U, vals[:k][::-1]
