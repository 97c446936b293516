"""Registry of product families: one module per family, each exposing `FAMILY`."""

from __future__ import annotations

from importlib import import_module

from engines.design.base import Family

# Adding a family: write families/<name>.py with a FAMILY, then add its module name here.
_MODULES = ("hat", "plush_animal", "phone_stand", "keychain_charm", "cup", "figurine")

FAMILIES: dict[str, Family] = {
    family.name: family for family in (import_module(f"{__name__}.{m}").FAMILY for m in _MODULES)
}
