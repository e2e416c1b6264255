# mutant-of: spectral.py::spectral_embedding
# bug: forgets to normalise the rows of U to unit length
def spectral_embedding(M, k):
    vals, vecs = np.linalg.eigh(M)
    order = np.argsort(vals)[::-1][:k]
    return vecs[:, order], vals[order]
