"""The learned second stage: a TF-IDF linear model beside the rules.

The rules give the evidence an alert shows; the model catches the articles the rules miss
(phrasings the lexicon does not know). `features` turns text into tokens, `linear` scores
them with a stored model, `store` loads it once, `train` rebuilds it with scikit-learn, and
`crossval` measures the whole detector honestly (grouped folds, model retrained per fold).
"""

from detection.learned.linear import ModelScore, TextModel
from detection.learned.store import default_model, load_model

__all__ = ["ModelScore", "TextModel", "default_model", "load_model"]
