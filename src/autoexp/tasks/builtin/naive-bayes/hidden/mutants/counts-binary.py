# mutant-of: text.py::count_matrix
# bug: records word presence (0/1) instead of the number of occurrences
def count_matrix(docs, vocab):
    X = np.zeros((len(docs), len(vocab)), dtype=np.int64)
    for i, doc in enumerate(docs):
        for tok in set(tokenize(doc)):
            j = vocab.get(tok)
            if j is not None:
                X[i, j] = 1
    return X
