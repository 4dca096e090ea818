"""Clinical-NLP pre-screener for the lupus nephritis MSC trial.

Heavy imports (spaCy, medspaCy, pandas) are deferred to the functions that need them so that
``python -m extractor --help`` answers fast.
"""

__version__ = "0.1.0"
