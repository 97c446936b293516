"""What every part of the design engine shares: its error and the per-unit process costs."""

from __future__ import annotations

# Mass-production cost of one unit passing through each process, USD.
PROCESS_COST_USD: dict[str, float] = {
    # keys are the sourcing network's process names (engines.sourcing.PROCESSES)
    "textile_cutting": 0.30,
    "plush_sewing": 1.10,
    "embroidery": 0.25,
    "stuffing": 0.35,
    "straw_weaving": 0.90,
    "hat_blocking": 0.60,
    "injection_moulding": 0.25,
    "printing": 0.12,
    "assembly": 0.15,
    "ceramic_glazing": 1.20,
    "metal_stamping": 0.20,  # a stamped spring clip (hair clips)
    "electronics_assembly": 1.40,  # an LED module, its cable and fitting it (night-lights)
    "packaging": 0.15,
}


class DesignError(ValueError):
    """A design request that cannot be served; the message is the human-readable reason."""
