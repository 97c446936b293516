"""Print-prep benchmark: preparation time per mesh size and estimates beside PrusaSlicer's."""
