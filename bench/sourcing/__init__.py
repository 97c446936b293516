"""Sourcing benchmark: match latency at Yiwu scale vs a brute-force scan."""
