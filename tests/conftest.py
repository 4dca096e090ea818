import pytest


@pytest.fixture(scope="session")
def screener():
    """One pipeline for the whole session (building it takes a few seconds)."""
    from extractor.screen import Screener

    return Screener()


@pytest.fixture(scope="session")
def nlp(screener):
    return screener.nlp
