"""3D-print prototype preparation: repair, orient, estimate and export a mesh (mm, s, g).

Pure domain logic: no Temporal, no database. `prepare()` is the entry point; it raises
`UnprintableMesh` (a ValueError with a plain-words reason) when a mesh cannot be printed.
"""

from .errors import UnprintableMesh
from .meshio import load_mesh
from .pipeline import PrintPrepReport, prepare
from .profiles import MATERIALS, PRINTERS, Material, PrinterProfile

__all__ = [
    "MATERIALS",
    "PRINTERS",
    "Material",
    "PrintPrepReport",
    "PrinterProfile",
    "UnprintableMesh",
    "load_mesh",
    "prepare",
]
