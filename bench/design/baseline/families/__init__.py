"""Registry of the old engine's product families (bench.design's baseline): one module per family,
each exposing `FAMILY`."""

from __future__ import annotations

from importlib import import_module

from bench.design.baseline.family import Family

# Adding a family: write families/<name>.py with a FAMILY, then add its module name here.
_MODULES = ("hat", "plush_animal", "phone_stand", "keychain_charm", "cup", "figurine")

FAMILIES: dict[str, Family] = {
    family.name: family for family in (import_module(f"{__name__}.{m}").FAMILY for m in _MODULES)
}
