"""A synthetic labelled text corpus drawn from per-topic word distributions.

Everything random happens here, from one seeded generator, so the corpus is identical on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CONSONANTS = list("bdfgklmnprstvz")
VOWELS = list("aeiou")
TOPICS = ("sport", "science", "politics")


@dataclass(frozen=True)
class CorpusConfig:
    vocab_size: int = 3000
    """Number of distinct words the generator can emit."""
    class_prior: tuple[float, ...] = (0.5, 0.3, 0.2)
    """Probability of each topic for a document."""
    topic_weight: float = 0.06
    """Share of a topic's word distribution that is topic-specific (the rest is background)."""
    concentration: float = 0.1
    """Dirichlet concentration of the topic-specific part (small = few characteristic words)."""
    zipf_exponent: float = 1.1
    """Exponent of the Zipf-like background word distribution."""
    mean_length: float = 150.0
    """Mean number of words per document (1 + Poisson(mean_length - 1))."""
    n_train: int = 600
    n_test: int = 400
    seed: int = 0


@dataclass(frozen=True)
class Corpus:
    train_docs: list[str]
    train_labels: np.ndarray
    test_docs: list[str]
    test_labels: np.ndarray
    topic_word: np.ndarray
    """(n_topics, vocab_size) true word distributions."""
    words: list[str]
    """The generator's vocabulary (index -> word)."""


def make_words(rng: np.random.Generator, n: int) -> list[str]:
    """n distinct pseudo-words of 2 to 3 consonant-vowel syllables."""
    syllables = [c + v for c in CONSONANTS for v in VOWELS]
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < n:
        n_syl = rng.integers(2, 4, size=n)
        picks = rng.integers(len(syllables), size=(n, 3))
        for k, row in zip(n_syl, picks, strict=True):
            w = "".join(syllables[s] for s in row[:k])
            if w not in seen and len(words) < n:
                seen.add(w)
                words.append(w)
    return words


def topic_distributions(rng: np.random.Generator, cfg: CorpusConfig) -> np.ndarray:
    """Mix a shared Zipf background with a sparse Dirichlet draw per topic."""
    ranks = rng.permutation(cfg.vocab_size) + 1
    background = ranks.astype(np.float64) ** -cfg.zipf_exponent
    background /= background.sum()
    k = len(cfg.class_prior)
    specific = rng.dirichlet(np.full(cfg.vocab_size, cfg.concentration), size=k)
    return (1 - cfg.topic_weight) * background[None, :] + cfg.topic_weight * specific


def render(rng: np.random.Generator, tokens: list[str]) -> str:
    """Turn a token list into text: sentences of 4-11 words, capitalised, with one comma inside."""
    lengths = rng.integers(4, 12, size=len(tokens))
    commas = rng.random(len(tokens))
    out: list[str] = []
    i = s = 0
    while i < len(tokens):
        sentence = tokens[i : i + int(lengths[s])]
        i += len(sentence)
        sentence[0] = sentence[0].capitalize()
        if len(sentence) > 1:
            sentence[int(commas[s] * (len(sentence) - 1))] += ","
        out.append(" ".join(sentence) + ".")
        s += 1
    return " ".join(out)


def sample_docs(
    rng: np.random.Generator, cfg: CorpusConfig, topic_word: np.ndarray, words: list[str], n: int
) -> tuple[list[str], np.ndarray]:
    labels = rng.choice(len(cfg.class_prior), size=n, p=np.asarray(cfg.class_prior))
    docs = []
    for c in labels:
        length = 1 + int(rng.poisson(cfg.mean_length - 1))
        ids = rng.choice(cfg.vocab_size, size=length, p=topic_word[c])
        docs.append(render(rng, [words[i] for i in ids]))
    return docs, labels.astype(np.int64)


def make_corpus(cfg: CorpusConfig) -> Corpus:
    rng = np.random.default_rng(cfg.seed)
    words = make_words(rng, cfg.vocab_size)
    topic_word = topic_distributions(rng, cfg)
    train_docs, train_labels = sample_docs(rng, cfg, topic_word, words, cfg.n_train)
    test_docs, test_labels = sample_docs(rng, cfg, topic_word, words, cfg.n_test)
    return Corpus(train_docs, train_labels, test_docs, test_labels, topic_word, words)
