"""Low-poly anatomical models for the consult room (heart, spine, knee), generated as glTF 2.0.

The models are made here from simple parametric shapes, so the project ships no third-party
meshes and nothing is downloaded at run time. ``careverse care models`` (or
``python -m careverse.care.anatomy_models``) writes ``heart.glb``, ``spine.glb`` and
``knee.glb`` into ``client/src/assets/models/``; the browser client bundles them
(``client/src/world/anatomy.ts``).

Units are metres; each model stands on y = 0, centred on x and z, about 0.35-0.5 m tall, so it
sits on a pedestal. Output is deterministic: the same code writes the same bytes.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

Vec = tuple[float, float, float]
MODELS = ("heart", "spine", "knee")
DEFAULT_OUT = Path(__file__).resolve().parents[3] / "client" / "src" / "assets" / "models"


# ---- small vector helpers ----------------------------------------------------------------------


def _sub(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def _add(a: Vec, b: Vec) -> Vec:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def _mul(a: Vec, k: float) -> Vec:
    return (a[0] * k, a[1] * k, a[2] * k)


def _cross(a: Vec, b: Vec) -> Vec:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _norm(a: Vec) -> Vec:
    length = math.sqrt(a[0] ** 2 + a[1] ** 2 + a[2] ** 2)
    return (0.0, 1.0, 0.0) if length < 1e-12 else (a[0] / length, a[1] / length, a[2] / length)


def _frame(axis: Vec) -> tuple[Vec, Vec]:
    """Two unit vectors perpendicular to ``axis`` (and to each other)."""
    helper = (1.0, 0.0, 0.0) if abs(axis[0]) < 0.9 else (0.0, 0.0, 1.0)
    u = _norm(_cross(axis, helper))
    return u, _norm(_cross(axis, u))


# ---- meshes ---------------------------------------------------------------------------------


@dataclass
class Part:
    """Triangles of one material; normals are averaged per vertex (smooth, low-poly)."""

    material: str
    positions: list[Vec] = field(default_factory=list)
    indices: list[int] = field(default_factory=list)

    def grid(self, rows: list[list[Vec]], closed_u: bool = True) -> None:
        """A surface from rows of points (each row a ring when ``closed_u``)."""
        base = len(self.positions)
        width = len(rows[0])
        for row in rows:
            self.positions.extend(row)
        span = width if closed_u else width - 1
        for r in range(len(rows) - 1):
            for c in range(span):
                a = base + r * width + c
                b = base + r * width + (c + 1) % width
                d = base + (r + 1) * width + c
                e = base + (r + 1) * width + (c + 1) % width
                self.indices += [a, d, b, b, d, e]

    def cap(self, ring: list[Vec], centre: Vec, flip: bool = False) -> None:
        base = len(self.positions)
        self.positions.extend(ring)
        self.positions.append(centre)
        mid = base + len(ring)
        for i in range(len(ring)):
            a, b = base + i, base + (i + 1) % len(ring)
            self.indices += [a, b, mid] if flip else [b, a, mid]

    def outward(self, first: int) -> None:
        """Wind the triangles from index ``first`` on counter-clockwise seen from outside (the
        glTF front face): flip them if the closed shape they make has a negative volume."""
        tris = self.indices[first:]
        points = {i for i in tris}
        cx, cy, cz = (sum(self.positions[i][k] for i in points) / len(points) for k in range(3))
        volume = 0.0
        for i in range(0, len(tris), 3):
            a, b, c = (_sub(self.positions[j], (cx, cy, cz)) for j in tris[i : i + 3])
            volume += a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
            volume += a[2] * (b[0] * c[1] - b[1] * c[0])
        if volume < 0:
            for i in range(first, len(self.indices), 3):
                self.indices[i + 1], self.indices[i + 2] = self.indices[i + 2], self.indices[i + 1]

    def normals(self) -> list[Vec]:
        acc = [(0.0, 0.0, 0.0)] * len(self.positions)
        for i in range(0, len(self.indices), 3):
            a, b, c = self.indices[i : i + 3]
            pa, pb, pc = self.positions[a], self.positions[b], self.positions[c]
            n = _cross(_sub(pb, pa), _sub(pc, pa))
            for k in (a, b, c):
                acc[k] = _add(acc[k], n)
        return [_norm(n) for n in acc]


def tube(part: Part, path: list[Vec], radius: Callable[[float], float], sides: int = 10) -> None:
    """A tube along a polyline, its radius a function of 0..1 along it; both ends capped."""
    first = len(part.indices)
    rings = []
    for i, p in enumerate(path):
        ahead = path[min(i + 1, len(path) - 1)]
        behind = path[max(i - 1, 0)]
        axis = _norm(_sub(ahead, behind))
        u, v = _frame(axis)
        r = radius(i / (len(path) - 1))
        rings.append(
            [
                _add(p, _add(_mul(u, r * math.cos(a)), _mul(v, r * math.sin(a))))
                for a in (2 * math.pi * k / sides for k in range(sides))
            ]
        )
    part.grid(rings)
    part.cap(rings[0], path[0], flip=True)
    part.cap(rings[-1], path[-1])
    part.outward(first)


def cylinder(part: Part, a: Vec, b: Vec, r_a: float, r_b: float | None = None, sides=12) -> None:
    rb = r_a if r_b is None else r_b
    tube(part, [a, b], lambda t: r_a + (rb - r_a) * t, sides)


def ellipsoid(part: Part, centre: Vec, radii: Vec, rows: int = 8, sides: int = 12) -> None:
    first = len(part.indices)
    rings = []
    for i in range(1, rows):
        phi = math.pi * i / rows
        y = math.cos(phi)
        s = math.sin(phi)
        rings.append(
            [
                (
                    centre[0] + radii[0] * s * math.cos(2 * math.pi * k / sides),
                    centre[1] + radii[1] * y,
                    centre[2] - radii[2] * s * math.sin(2 * math.pi * k / sides),
                )
                for k in range(sides)
            ]
        )
    part.grid(rings)
    part.cap(rings[0], (centre[0], centre[1] + radii[1], centre[2]), flip=True)
    part.cap(rings[-1], (centre[0], centre[1] - radii[1], centre[2]))
    part.outward(first)


def box(part: Part, centre: Vec, size: Vec) -> None:
    """An axis-aligned box (as a four-sided tube, capped)."""
    hx, hy, hz = (s / 2 for s in size)
    cx, cy, cz = centre
    ring = lambda y: [  # noqa: E731
        (cx - hx, y, cz - hz),
        (cx + hx, y, cz - hz),
        (cx + hx, y, cz + hz),
        (cx - hx, y, cz + hz),
    ]
    first = len(part.indices)
    bottom, top = ring(cy - hy), ring(cy + hy)
    part.grid([bottom, top])
    part.cap(bottom, (cx, cy - hy, cz), flip=True)
    part.cap(top, (cx, cy + hy, cz))
    part.outward(first)


# ---- the models -------------------------------------------------------------------------------

MATERIALS = {
    "muscle": (0.72, 0.22, 0.24),
    "artery": (0.80, 0.30, 0.28),
    "vein": (0.33, 0.42, 0.70),
    "fat": (0.93, 0.84, 0.55),
    "bone": (0.91, 0.88, 0.80),
    "disc": (0.62, 0.76, 0.86),
    "cartilage": (0.75, 0.86, 0.90),
    "ligament": (0.85, 0.72, 0.62),
}


def heart() -> list[Part]:
    """A heart: a rounded heart-shaped body tilted to the left, the aortic arch, the pulmonary
    trunk, the venae cavae and a coronary artery."""
    body, artery, vein, fat = Part("muscle"), Part("artery"), Part("vein"), Part("fat")
    # The classic heart outline in the x-y plane, puffed into a pillow along z.
    outline = []
    steps = 28
    for k in range(steps):
        t = 2 * math.pi * k / steps
        x = 16 * math.sin(t) ** 3
        y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        outline.append((x * 0.0075, y * 0.0075))
    tilt = math.radians(-25)  # apex down and to the patient's left

    def place(x: float, y: float, z: float) -> Vec:
        xr = x * math.cos(tilt) - y * math.sin(tilt)
        yr = x * math.sin(tilt) + y * math.cos(tilt)
        return (xr, yr + 0.19, z)

    first = len(body.indices)
    rows = []
    layers = 8
    for j in range(layers + 1):
        s = -math.pi / 2 + math.pi * j / layers
        k = math.cos(s) ** 0.8 if j not in (0, layers) else 0.05
        z = 0.085 * math.sin(s)
        rows.append([place(x * k, y * k + 0.01 * (1 - k), z) for x, y in outline])
    body.grid(rows)
    body.cap(rows[0], place(0, 0.01, -0.085), flip=True)
    body.cap(rows[-1], place(0, 0.01, 0.085))
    body.outward(first)
    # The aortic arch: up from the base, over to the left and down behind.
    arch = [
        (0.0 + 0.09 * math.sin(a) * 0.9 - 0.01, 0.27 + 0.09 * math.cos(a) * 0.8, -0.02 - 0.03 * a)
        for a in (math.pi * i / 12 - math.pi / 2 for i in range(13))
    ]
    arch = [(-0.01, 0.22, 0.0), *arch, (0.075, 0.16, -0.09)]
    tube(artery, arch, lambda t: 0.028 - 0.006 * t, 12)
    for dx in (-0.02, 0.005, 0.03):  # branches off the top of the arch
        cylinder(artery, (dx, 0.33, -0.03), (dx * 1.3, 0.39, -0.035), 0.009, 0.007, 8)
    # Pulmonary trunk, in front, heading up and left.
    tube(vein, [(0.03, 0.21, 0.05), (0.05, 0.27, 0.04), (0.08, 0.30, 0.0)], lambda t: 0.024, 10)
    # Superior and inferior venae cavae, on the right side.
    cylinder(vein, (-0.085, 0.22, -0.02), (-0.09, 0.36, -0.03), 0.02, 0.018, 10)
    cylinder(vein, (-0.08, 0.10, -0.03), (-0.09, 0.02, -0.04), 0.02, 0.02, 10)
    # A coronary artery and its fat groove across the front.
    groove = [
        place(
            0.09 * math.cos(a) - 0.01, 0.03 + 0.05 * math.sin(a), 0.082 - 0.015 * abs(math.sin(a))
        )
        for a in (math.pi * (0.15 + 0.7 * i / 10) for i in range(11))
    ]
    tube(fat, groove, lambda t: 0.008, 6)
    tube(artery, [(p[0], p[1], p[2] + 0.004) for p in groove], lambda t: 0.004, 5)
    return [body, artery, vein, fat]


def spine() -> list[Part]:
    """A spine: 24 vertebrae (cervical, thoracic, lumbar) in the natural S curve, discs between
    them, spinous and transverse processes, and the sacrum."""
    bone, disc = Part("bone"), Part("disc")
    count, height = 24, 0.46
    spacing = height / (count + 3)

    def curve(t: float) -> float:
        """Front-back offset along the height (0 bottom, 1 top): lumbar and cervical lordosis,
        thoracic kyphosis."""
        return 0.025 * math.sin(2 * math.pi * (t - 0.05)) + 0.01 * math.sin(math.pi * t)

    base = 0.08
    for i in range(count):
        t = i / (count - 1)
        level = count - 1 - i  # 0 = first cervical at the top
        scale = 1.0 if level >= 12 else (0.85 if level >= 7 else 0.6)
        y = base + i * spacing * 1.05
        z = curve(t)
        r = 0.022 * scale
        h = spacing * 0.62
        cylinder(bone, (0, y, z), (0, y + h, z), r, r, 10)
        # The spinous process points back and down; transverse processes to the sides.
        box(bone, (0, y + h * 0.4, z - r - 0.018 * scale), (0.008, h * 0.7, 0.036 * scale))
        box(bone, (0, y + h * 0.5, z - r * 0.6), (0.07 * scale, h * 0.45, 0.012))
        if i < count - 1:
            disc_r = r * 1.02
            cylinder(disc, (0, y + h, z), (0, y + spacing * 1.05, z), disc_r, disc_r, 10)
    # The sacrum and coccyx: a wedge tapering down, tilted back.
    tube(
        bone,
        [(0, base, curve(0) - 0.005), (0, base - 0.04, -0.02), (0, base - 0.075, -0.03)],
        lambda t: 0.04 * (1 - 0.75 * t),
        8,
    )
    return [bone, disc]


def knee() -> list[Part]:
    """A right knee from the front: femur with its two condyles, tibia with its plateau, fibula,
    patella, the menisci, and the collateral and cruciate ligaments."""
    bone, cartilage, ligament = Part("bone"), Part("cartilage"), Part("ligament")
    joint = 0.22
    cylinder(bone, (0, joint + 0.05, 0), (0.0, 0.46, -0.01), 0.03, 0.026, 12)  # femur shaft
    cylinder(bone, (0, joint + 0.03, 0), (0, joint + 0.09, 0), 0.05, 0.031, 12)  # flare
    for x in (-0.028, 0.028):  # medial and lateral condyles
        ellipsoid(bone, (x, joint + 0.035, -0.005), (0.028, 0.03, 0.04), 7, 12)
    cylinder(bone, (0, joint - 0.02, 0), (0, joint - 0.05, 0), 0.058, 0.042, 14)  # tibial plateau
    cylinder(bone, (0, joint - 0.05, 0), (0.0, 0.0, 0.005), 0.03, 0.024, 12)  # tibia shaft
    ellipsoid(bone, (0, joint - 0.06, 0.03), (0.012, 0.015, 0.01), 5, 8)  # tibial tuberosity
    cylinder(bone, (0.05, joint - 0.035, -0.015), (0.045, 0.02, -0.01), 0.012, 0.009, 8)  # fibula
    ellipsoid(bone, (0.05, joint - 0.03, -0.015), (0.016, 0.014, 0.016), 5, 8)  # fibular head
    ellipsoid(bone, (0, joint + 0.045, 0.05), (0.026, 0.032, 0.011), 7, 12)  # patella
    for x in (-0.028, 0.028):  # menisci: flattened rings on the plateau
        ring = [
            (x + 0.026 * math.cos(a), joint - 0.012, 0.026 * math.sin(a))
            for a in (2 * math.pi * k / 16 for k in range(17))
        ]
        tube(cartilage, ring, lambda t: 0.006, 6)
    # Ligaments: medial and lateral collateral, the cruciates, the patellar tendon.
    cylinder(ligament, (-0.055, joint + 0.04, 0), (-0.055, joint - 0.06, 0.005), 0.006, 0.006, 6)
    cylinder(
        ligament, (0.055, joint + 0.04, -0.005), (0.052, joint - 0.04, -0.015), 0.005, 0.005, 6
    )
    cylinder(ligament, (-0.01, joint - 0.01, 0.015), (0.015, joint + 0.03, -0.02), 0.006, 0.006, 6)
    cylinder(ligament, (0.01, joint - 0.01, -0.02), (-0.012, joint + 0.03, 0.01), 0.006, 0.006, 6)
    cylinder(ligament, (0, joint + 0.02, 0.055), (0, joint - 0.06, 0.035), 0.011, 0.009, 8)
    return [bone, cartilage, ligament]


BUILDERS: dict[str, Callable[[], list[Part]]] = {"heart": heart, "spine": spine, "knee": knee}


# ---- glTF 2.0 binary ------------------------------------------------------------------------


def _grounded(parts: list[Part]) -> list[Part]:
    """Centre on x/z and stand on y = 0."""
    points = [p for part in parts for p in part.positions]
    xs, ys, zs = zip(*points, strict=True)
    dx, dz = -(min(xs) + max(xs)) / 2, -(min(zs) + max(zs)) / 2
    dy = -min(ys)
    for part in parts:
        part.positions = [(x + dx, y + dy, z + dz) for x, y, z in part.positions]
    return parts


def glb(name: str, parts: Iterable[Part]) -> bytes:
    """The parts as one glTF 2.0 binary: one mesh, a primitive per material."""
    blob = bytearray()
    views, accessors, primitives, materials = [], [], [], []

    def view(data: bytes, target: int) -> int:
        while len(blob) % 4:
            blob.append(0)
        views.append(
            {"buffer": 0, "byteOffset": len(blob), "byteLength": len(data), "target": target}
        )
        blob.extend(data)
        return len(views) - 1

    for part in _grounded(list(parts)):
        normals = part.normals()
        position_view = view(
            struct.pack(f"<{len(part.positions) * 3}f", *sum(part.positions, ())), 34962
        )
        normal_view = view(struct.pack(f"<{len(normals) * 3}f", *sum(normals, ())), 34962)
        index_view = view(struct.pack(f"<{len(part.indices)}H", *part.indices), 34963)
        xs, ys, zs = zip(*part.positions, strict=True)
        accessors.append(
            {
                "bufferView": position_view, "componentType": 5126,
                "count": len(part.positions), "type": "VEC3",
                "min": [min(xs), min(ys), min(zs)], "max": [max(xs), max(ys), max(zs)],
            }
        )  # fmt: skip
        accessors.append(
            {
                "bufferView": normal_view,
                "componentType": 5126,
                "count": len(normals),
                "type": "VEC3",
            }
        )
        accessors.append(
            {"bufferView": index_view, "componentType": 5123, "count": len(part.indices),
             "type": "SCALAR"}
        )  # fmt: skip
        r, g, b = MATERIALS[part.material]
        materials.append(
            {
                "name": part.material,
                "pbrMetallicRoughness": {
                    "baseColorFactor": [r, g, b, 1.0], "metallicFactor": 0.0,
                    "roughnessFactor": 0.7,
                },
            }
        )  # fmt: skip
        n = len(accessors)
        primitives.append(
            {
                "attributes": {"POSITION": n - 3, "NORMAL": n - 2},
                "indices": n - 1,
                "material": len(materials) - 1,
            }
        )
    while len(blob) % 4:
        blob.append(0)
    document = {
        "asset": {"version": "2.0", "generator": "careverse.care.anatomy_models"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": name}],
        "meshes": [{"name": name, "primitives": primitives}],
        "materials": materials,
        "buffers": [{"byteLength": len(blob)}],
        "bufferViews": views,
        "accessors": accessors,
    }
    text = json.dumps(document, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    total = 12 + 8 + len(text) + 8 + len(blob)
    return b"".join(
        [
            struct.pack("<4sII", b"glTF", 2, total),
            struct.pack("<I4s", len(text), b"JSON"),
            text,
            struct.pack("<I4s", len(blob), b"BIN\x00"),
            bytes(blob),
        ]
    )


def build(key: str) -> bytes:
    return glb(key, BUILDERS[key]())


def write_all(out: Path = DEFAULT_OUT) -> list[Path]:
    """Write every model into ``out``; answers the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for key in MODELS:
        path = out / f"{key}.glb"
        path.write_bytes(build(key))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(f"{path} ({path.stat().st_size} bytes)")
