"""Preprocessing of NumPy feature arrays before they become tensors.

    >>> X_train, X_test = standardize(X_train, X_test)   # the training set's mean and std

Statistics come from the training part only, so nothing about the test part leaks into training.
"""

import numpy as np


def standardize(train, *others):
    """Scale columns to mean 0, std 1 using the *training* statistics; returns all arrays."""
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    scaled = [((a - mean) / std).astype(train.dtype) for a in (train, *others)]
    return scaled if others else scaled[0]
