"""Phone stand: a slanted back rest with a front lip; the subject sits on the base (mm)."""

from __future__ import annotations

import numpy as np
import trimesh

from engines.design.forms.context import DETAIL_MIN_MM, Builder, FormContext
from engines.design.forms.place import base_anchor, chunky, fitted_height, moved
from engines.design.kit.parts import Anchor, Model, Part
from engines.design.shapes import box, union

PHONE_W_MM = 80.0  # the phone's side of the base (phones are 65-80 mm wide)
REST_MM = (80.0, 105.0, 130.0)  # knob "rest": a short, classic or tall back rest


def phone_stand(ctx: FormContext) -> Model:
    """A stand whose back rest leans at knob 'angle_deg' (60-75, default 66) from the desk,
    a lip in front of a 13 mm slot, the subject sitting beside the phone (knob 'side': on its
    left or right); knob 'rest' makes the back rest short, classic or tall; base length
    size_mm."""
    angle = float(np.clip(ctx.knob("angle_deg", 66.0), 60.0, 75.0))
    tilt = 90.0 - angle
    t, base_t = ctx.wall(6.0), ctx.wall(6.0)
    rest_kind = int(ctx.knob("rest", 1.0)) % len(REST_MM)
    rest_len, slot = ctx.mm(REST_MM[rest_kind]), max(ctx.mm(13.0), 8.0)
    side = 1.0 if ctx.knob("side", 0.0) >= 0.5 else -1.0  # the subject's side of the phone
    phone_w = ctx.mm(PHONE_W_MM)
    with_subject = ctx.subject is not None
    side_w = ctx.mm(55.0) if with_subject else 0.0
    x0 = ctx.mm(15.0)  # front foot of the back rest
    u = np.array([-np.sin(np.radians(tilt)), 0.0, np.cos(np.radians(tilt))])  # up the rest
    n_back = np.array([-np.cos(np.radians(tilt)), 0.0, -np.sin(np.radians(tilt))])
    foot = np.array([x0, 0.0, base_t * 0.5])
    rest = box([t, phone_w, rest_len], foot + u * rest_len / 2 + n_back * t / 2, -tilt)
    x_back = float((foot + u * rest_len)[0]) - t
    x_front = x0 + slot + ctx.mm(8.0)
    y_lo, y_hi = sorted((side * (phone_w / 2 + side_w), -side * phone_w / 2))
    base = box([x_front - x_back, y_hi - y_lo, base_t],
               [(x_front + x_back) / 2, (y_lo + y_hi) / 2, base_t / 2])  # fmt: skip
    lip_h = max(ctx.mm(12.0), 2 * ctx.rule.min_wall_mm)
    lip = box([ctx.wall(5.0), phone_w, lip_h + base_t / 2],
              [x0 + slot + ctx.wall(5.0) / 2, 0.0, (base_t + lip_h) / 2 + base_t / 4])  # fmt: skip
    strut_from = foot + u * rest_len * 0.6 + n_back * t * 1.2  # behind the rest, unseen
    strut_to = np.array([x_back + t, 0.0, base_t * 0.5])
    span = strut_to - strut_from
    strut_tilt = float(np.degrees(np.arctan2(span[0], span[2])))
    strut = box([t, ctx.wall(8.0), float(np.linalg.norm(span)) + t],
                (strut_from + strut_to) / 2, strut_tilt)  # fmt: skip
    stand = union([base, rest, lip, strut])
    # small facets: the flat rest's two huge triangles mis-sort in depth-sorted previews
    fine = stand.subdivide_to_size(max_edge=max(ctx.mm(15.0), 5.0), max_iter=6)
    assert isinstance(fine, trimesh.Trimesh)
    stand = fine
    model = Model([Part("stand", stand, ctx.colour, "fixture", ctx.material)])
    if with_subject:
        assert ctx.subject is not None
        figure = fitted_height(ctx.subject, ctx.mm(62.0))
        figure = chunky(figure, ctx.rule.min_wall_mm, DETAIL_MIN_MM)
        lo, hi = figure.bounds
        squeeze = min(1.0, 0.9 * side_w / max(float(hi[1] - lo[1]), 1e-6))
        if squeeze < 1.0:
            figure = fitted_height(ctx.subject, ctx.mm(62.0) * squeeze)
            figure = chunky(figure, ctx.rule.min_wall_mm, DETAIL_MIN_MM)
        sink = min(ctx.wall(1.5), 0.4 * base_t)
        at = np.array(
            [(x_front + x_back) / 2 + ctx.mm(8.0), side * (phone_w + side_w) / 2, base_t - sink]
        )
        figure = figure.transform(moved(at))
        model.extend(figure)
        model.anchors.update({k: a for k, a in figure.anchors.items() if k != "base"})
    rest_face = foot + u * rest_len * 0.5
    front_normal = np.array([np.cos(np.radians(tilt)), 0.0, np.sin(np.radians(tilt))])
    model.anchors["phone"] = Anchor(rest_face, front_normal, phone_w / 2)
    model.anchors["base"] = base_anchor(size_mm=phone_w / 2)
    return model


BUILDERS: dict[str, Builder] = {"phone_stand": phone_stand}
