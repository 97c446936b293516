"""Thin Temporal activities, one module per stage: load input, call an engine, persist
idempotently, heartbeat. activities.registry groups them by the worker that runs them."""
