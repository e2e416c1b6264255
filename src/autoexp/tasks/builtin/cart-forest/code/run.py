"""Entry point: `python run.py --exp <id>` prints the experiment's metrics as one JSON line."""

from __future__ import annotations

import argparse
import json

import numpy as np

from criteria import gini_impurity
from data import load_dataset, train_test_split
from forest import RandomForest
from metrics import accuracy, confusion_matrix, round_sig
from tree import DecisionTree

SPLIT_SEED = 0
FOREST_SEED = 1
N_TREES = 30
TEST_FRAC = 0.3


def _split(
    name: str, seed: int = SPLIT_SEED
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X, y, _ = load_dataset(name)
    return train_test_split(X, y, TEST_FRAC, seed)


def _tree_report(tree: DecisionTree, Xtr, ytr, Xte, yte) -> dict[str, float]:
    root = tree.root
    importances = tree.feature_importances()
    top = int(np.argmax(importances))
    return {
        "train_accuracy": accuracy(ytr, tree.predict(Xtr)),
        "test_accuracy": accuracy(yte, tree.predict(Xte)),
        "n_leaves": tree.n_leaves(),
        "depth": tree.depth(),
        "root_feature": root.feature,
        "root_threshold": root.threshold,
        "root_gain": gini_impurity(root.counts) - root.impurity,
        "top_feature": top,
        "top_importance": importances[top],
    }


def exp_tree_wine(split_seed: int = SPLIT_SEED) -> dict[str, float]:
    """A fully grown tree on the wine data."""
    Xtr, Xte, ytr, yte = _split("wine", split_seed)
    tree = DecisionTree(max_depth=None, min_samples_split=2, min_samples_leaf=1).fit(Xtr, ytr)
    return _tree_report(tree, Xtr, ytr, Xte, yte)


def exp_tree_cancer(split_seed: int = SPLIT_SEED) -> dict[str, float]:
    """A shallow, leaf-size-limited tree on the breast-cancer data."""
    Xtr, Xte, ytr, yte = _split("breast_cancer", split_seed)
    tree = DecisionTree(max_depth=3, min_samples_split=2, min_samples_leaf=5).fit(Xtr, ytr)
    out = _tree_report(tree, Xtr, ytr, Xte, yte)
    cm = confusion_matrix(yte, tree.predict(Xte), 2)
    out["test_false_negatives"] = int(cm[1, 0])
    return out


def exp_forest_wine(
    split_seed: int = SPLIT_SEED, forest_seed: int = FOREST_SEED, n_trees: int = N_TREES
) -> dict[str, float]:
    """A random forest of 30 trees with 3 candidate features per node on the wine data."""
    Xtr, Xte, ytr, yte = _split("wine", split_seed)
    forest = RandomForest(n_trees=n_trees, max_features=3, seed=forest_seed).fit(Xtr, ytr)
    oob, coverage = forest.oob_score(Xtr, ytr)
    single = [accuracy(yte, t.predict(Xte)) for t in forest.trees]
    return {
        "test_accuracy": accuracy(yte, forest.predict(Xte)),
        "oob_score": oob,
        "oob_coverage": coverage,
        "mean_tree_test_accuracy": float(np.mean(single)),
        "mean_leaves": float(np.mean([t.n_leaves() for t in forest.trees])),
    }


EXPERIMENTS = {
    "tree-wine": exp_tree_wine,
    "tree-cancer": exp_tree_cancer,
    "forest-wine": exp_forest_wine,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--exp", required=True, choices=sorted(EXPERIMENTS))
    parser.add_argument("--split-seed", type=int, default=SPLIT_SEED, help="train/test split seed")
    parser.add_argument("--forest-seed", type=int, help="generator seed of the forest")
    parser.add_argument("--n-trees", type=int, help="number of trees of the forest")
    args = parser.parse_args()
    kwargs = {"split_seed": args.split_seed}
    if args.forest_seed is not None:
        kwargs["forest_seed"] = args.forest_seed
    if args.n_trees is not None:
        kwargs["n_trees"] = args.n_trees
    metrics = EXPERIMENTS[args.exp](**kwargs)
    print(json.dumps({k: round_sig(v) for k, v in metrics.items()}))


if __name__ == "__main__":
    main()
