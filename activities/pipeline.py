"""The design stage's activities under their former import path.

Kept only for tests/engines/test_design_memory.py and test_design_reference.py, which belong to
the design-engine rebuild; remove once they import activities.design.
"""

from activities.design import DesignActivities as PipelineActivities
from activities.design import design_memory as _design_memory

__all__ = ["PipelineActivities", "_design_memory"]
