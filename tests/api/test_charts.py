"""The supplier map places labels of nearby suppliers apart, inside the map, next to their point."""

from __future__ import annotations

import itertools
import re

from api.charts import MapPoint, _label_box, map_svg

HUB = MapPoint(29.306, 120.075, "Futian hub", "hub")
TEXT = re.compile(r'<text class="supplier-label" x="([\d.-]+)" y="([\d.-]+)" text-anchor="(\w+)"')
CIRCLE = re.compile(r'<circle class="supplier chosen" cx="([\d.-]+)" cy="([\d.-]+)"')


def test_labels_of_close_suppliers_do_not_overlap() -> None:
    # four chosen suppliers within a few hundred metres of each other and of the hub (the demo had
    # "packaging" printed over "embroidery"), one far away, runners-up around
    chosen = [
        MapPoint(29.300, 120.070, "packaging: YW00375", "chosen"),
        MapPoint(29.3003, 120.0712, "embroidery: YW00536", "chosen"),
        MapPoint(29.2995, 120.0718, "textile_cutting: YW00580", "chosen"),
        MapPoint(29.3065, 120.0757, "stuffing: YW00999", "chosen"),
        MapPoint(29.360, 120.110, "plush_sewing: YW00301", "chosen"),
    ]
    others = [
        MapPoint(29.3 + k / 100, 120.05 + k / 90, f"alt {k}", "alternative") for k in range(5)
    ]
    svg = map_svg(HUB, 15.0, chosen + others, 30)

    labels = [(float(x), float(y), a) for x, y, a in TEXT.findall(svg)]
    texts = [p.label.split(":")[0] for p in chosen]
    assert len(labels) == len(chosen)
    boxes = [_label_box(x, y, t, a) for (x, y, a), t in zip(labels, texts, strict=True)]
    for a, b in itertools.combinations(boxes, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    assert all(b[0] >= 2 and b[2] <= 458 and b[1] >= 2 and b[3] <= 458 for b in boxes)
    points = [(float(x), float(y)) for x, y in CIRCLE.findall(svg)]
    for (x, y, _), (px, py) in zip(labels, points, strict=True):  # drawn in the same order
        assert abs(x - px) <= 8.5 and abs(y - 4 - py) <= 28.5  # beside its own point
    assert any(y - 4 != py for (_, y, _), (_, py) in zip(labels, points, strict=True))


def test_a_lone_supplier_keeps_its_label_to_the_right() -> None:
    svg = map_svg(HUB, 15.0, [MapPoint(29.36, 120.11, "plush_sewing: YW00301", "chosen")], 30)
    ((x, y, anchor),) = TEXT.findall(svg)
    ((px, py),) = CIRCLE.findall(svg)
    assert anchor == "start" and float(x) == float(px) + 8 and float(y) == float(py) + 4
