"""Helpers the tests import (fixtures live in the conftest.py files and are never imported)."""
