"""Logistics benchmark: mode choice for many batches and markets vs a brute-force enumeration."""
