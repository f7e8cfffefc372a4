"""Shared fixtures: the shipped fact base and a matcher over it, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.facts.loader import load_fact_base
from bot.facts.model import FactBase
from bot.matching.matcher import Matcher

ROOT = Path(__file__).resolve().parent.parent
FACTS_DIR = ROOT / "facts"
DATA_DIR = ROOT / "tests" / "data"
# Trained models are cached here by the content they were trained on, across test runs.
MODEL_CACHE = ROOT / ".cache"
# The source article lives beside the repository (../shared), as on every workplace machine.
ARTICLE = ROOT.parent / "shared" / "source" / "ballard-article.txt"
# Shaped like a bot token (three dot-separated parts) but not one; joined here so that no
# token-shaped string sits in the repository.
FAKE_TOKEN = ".".join(["MTIzNDU2Nzg5MDEyMzQ1Njc4", "GAbCdE", "abcdefghijklmnopqrstuvwxyz012345"])


@pytest.fixture(scope="session")
def fact_base() -> FactBase:
    return load_fact_base(FACTS_DIR)


@pytest.fixture(scope="session")
def matcher(fact_base: FactBase) -> Matcher:
    return Matcher(fact_base, cache_dir=MODEL_CACHE)
