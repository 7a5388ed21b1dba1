"""Benchmark-only settings: production settings plus a trivial view (bench/catalogue/urls.py)."""

from server.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.catalogue.urls"
