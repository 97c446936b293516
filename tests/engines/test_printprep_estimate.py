"""The print-time estimate follows the slicer's physics: cooling, loops, first layer, motion."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import trimesh
from shapely.geometry import Point, box

from engines.printprep import MATERIALS, PRINTERS
from engines.printprep.profiles import SLICER_PROFILE
from engines.printprep.slicing import (
    PrintSettings,
    cooled_time_s,
    estimate_print,
    layer_times,
    segment_time_s,
    slice_layers,
)

MK4, PLA = PRINTERS["prusa_mk4"], MATERIALS["PLA"]
FIRST_MM = SLICER_PROFILE.first_layer_height_mm


def stack(mesh: trimesh.Trimesh):  # noqa: ANN201 - LayerStack
    """Slices as the pipeline takes them: 0.2 mm layers after PrusaSlicer's first layer."""
    mesh = mesh.copy()
    mesh.apply_translation(-mesh.bounds[0])
    return slice_layers(mesh, 0.2, 0.64, FIRST_MM)


def plate_with_holes(count: int, hole_r_mm: float = 1.5) -> trimesh.Trimesh:
    """A 60 × 60 × 3 mm plate with count round holes on a grid."""
    shape = box(-30, -30, 30, 30)
    side = math.ceil(math.sqrt(count)) if count else 0
    spots = [(x, y) for x in np.linspace(-22, 22, side) for y in np.linspace(-22, 22, side)]
    for x, y in spots[:count]:
        shape = shape.difference(Point(x, y).buffer(hole_r_mm, 24))
    return trimesh.creation.extrude_polygon(shape, 3.0)


def test_trapezoid_motion_matches_the_closed_forms() -> None:
    accel, v, v0 = 1500.0, 60.0, 10.0
    long_mm, short_mm = np.array([100.0]), np.array([0.5])
    ramps = (v - v0) ** 2 / (accel * v)  # time lost braking and speeding up again
    assert segment_time_s(long_mm, v, np.array([v0]), accel)[0] == pytest.approx(100 / v + ramps)
    peak = math.sqrt(v0**2 + accel * 0.5)  # never reaches cruise speed
    expected = 2 * (peak - v0) / accel
    assert segment_time_s(short_mm, v, np.array([v0]), accel)[0] == pytest.approx(expected)
    assert segment_time_s(long_mm, v, np.array([v]), accel)[0] == pytest.approx(100 / v)


def test_short_layers_slow_down_towards_the_minimum_speed_not_a_fixed_time() -> None:
    settings = PrintSettings()
    pin = trimesh.creation.cylinder(1.5, 10, sections=32)  # a few mm of path per layer
    times = layer_times(stack(pin), MK4, 0.15, settings)
    cooled = cooled_time_s(times, settings)
    floor_s = SLICER_PROFILE.slowdown_below_layer_time_s
    slowest = times.fixed_s + times.extruded_mm / SLICER_PROFILE.min_print_speed_mm_s
    assert (cooled <= floor_s + 1e-9).all()
    assert cooled == pytest.approx(
        np.minimum(floor_s, np.maximum(slowest, times.extrude_s + times.fixed_s))
    )
    assert (cooled < floor_s).any()  # too little path to fill 5 s even at 10 mm/s

    cube = trimesh.creation.box((12, 12, 12))  # enough path: stretched to exactly 5 s
    cooled = cooled_time_s(layer_times(stack(cube), MK4, 0.15, settings), settings)
    assert np.median(cooled) == pytest.approx(floor_s)


def test_holes_cost_their_perimeters_at_small_perimeter_speed() -> None:
    plain = estimate_print(stack(plate_with_holes(0)), MK4, PLA, 0.15).print_time_s
    holed = estimate_print(stack(plate_with_holes(49)), MK4, PLA, 0.15).print_time_s
    loops_mm = 49 * 2 * math.pi * 1.5 * SLICER_PROFILE.perimeters  # three loops per hole
    layers = 1 + math.ceil((3.0 - FIRST_MM) / 0.2)
    walls_s = loops_mm * layers / SLICER_PROFILE.small_perimeter_speed_mm_s
    assert holed - plain == pytest.approx(walls_s, rel=0.5)
    assert holed - plain > 0.5 * walls_s


def test_first_layer_is_thicker_and_printed_at_first_layer_speed() -> None:
    layers = stack(trimesh.creation.box((40, 40, 2)))
    assert layers.first_layer_mm == FIRST_MM
    assert len(layers.z_mm) == 1 + math.ceil((2 - FIRST_MM) / 0.2 - 1e-9)
    slow = dataclasses.replace(SLICER_PROFILE, first_layer_speed_mm_s=10.0)
    base = layer_times(layers, MK4, 0.15, PrintSettings())
    slower = layer_times(layers, MK4, 0.15, PrintSettings(profile=slow))
    assert slower.extrude_s[0] > 2 * base.extrude_s[0]
    assert slower.extrude_s[1:] == pytest.approx(base.extrude_s[1:])


def test_more_acceleration_never_slows_a_print_and_converges_to_length_over_speed() -> None:
    gear = plate_with_holes(9)
    layers = stack(gear)
    times = [
        estimate_print(layers, MK4, PLA, 0.15, PrintSettings(acceleration_mm_s2=a)).print_time_s
        for a in (500.0, 1500.0, 5000.0, 1e7)
    ]
    assert times == sorted(times, reverse=True)
    assert times[0] > times[-1] * 1.02


def test_travel_grows_with_islands_spread_apart() -> None:
    near = trimesh.util.concatenate(
        [trimesh.creation.box((5, 5, 5)).apply_translation([x, 0, 0]) for x in (0, 10)]
    )
    far = trimesh.util.concatenate(
        [trimesh.creation.box((5, 5, 5)).apply_translation([x, 0, 0]) for x in (0, 150)]
    )
    s = PrintSettings()
    near_t = layer_times(stack(near), MK4, 0.15, s).fixed_s
    far_t = layer_times(stack(far), MK4, 0.15, s).fixed_s
    assert (far_t[1:] > near_t[1:]).all()
