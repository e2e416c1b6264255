# mutant-of: text.py::count_matrix
# bug: splits on whitespace instead of using the tokenizer, so capitalised words and words with punctuation are lost
def count_matrix(docs, vocab):
    X = np.zeros((len(docs), len(vocab)), dtype=np.int64)
    for i, doc in enumerate(docs):
        for tok in doc.split():
            j = vocab.get(tok)
            if j is not None:
                X[i, j] += 1
    return X
