"""The consult room's anatomical models: valid glTF 2.0 binaries, standing on the floor, made by
the generator (the committed files are exactly what it writes)."""

from __future__ import annotations

import json
import struct

import pytest

from careverse.care import anatomy_models
from careverse.care.anatomy_models import DEFAULT_OUT, MODELS, build

SIZES = {5126: 4, 5123: 2}
COMPONENTS = {"SCALAR": 1, "VEC3": 3}


def parse(data: bytes) -> tuple[dict, bytes]:
    magic, version, length = struct.unpack_from("<4sII", data, 0)
    assert (magic, version, length) == (b"glTF", 2, len(data))
    json_length, kind = struct.unpack_from("<I4s", data, 12)
    assert kind == b"JSON" and json_length % 4 == 0
    document = json.loads(data[20 : 20 + json_length])
    bin_length, kind = struct.unpack_from("<I4s", data, 20 + json_length)
    assert kind == b"BIN\x00" and bin_length % 4 == 0
    blob = data[28 + json_length : 28 + json_length + bin_length]
    assert len(blob) == bin_length == document["buffers"][0]["byteLength"]
    return document, blob


def read(document: dict, blob: bytes, index: int) -> list:
    accessor = document["accessors"][index]
    view = document["bufferViews"][accessor["bufferView"]]
    count = accessor["count"] * COMPONENTS[accessor["type"]]
    size = SIZES[accessor["componentType"]]
    assert view["byteOffset"] % 4 == 0 and view["byteLength"] == count * size
    fmt = "f" if accessor["componentType"] == 5126 else "H"
    return list(struct.unpack_from(f"<{count}{fmt}", blob, view["byteOffset"]))


@pytest.mark.parametrize("key", MODELS)
def test_each_model_is_a_valid_grounded_gltf(key):
    document, blob = parse(build(key))
    assert document["asset"]["version"] == "2.0"
    primitives = document["meshes"][0]["primitives"]
    assert len(primitives) >= 2  # several materials: recognisable parts, not one blob
    lows, highs = [], []
    triangles = 0
    for primitive in primitives:
        positions = read(document, blob, primitive["attributes"]["POSITION"])
        normals = read(document, blob, primitive["attributes"]["NORMAL"])
        indices = read(document, blob, primitive["indices"])
        vertices = len(positions) // 3
        assert len(normals) == len(positions) and len(indices) % 3 == 0
        assert max(indices) < vertices
        triangles += len(indices) // 3
        for i in range(0, len(normals), 3):
            length = sum(c * c for c in normals[i : i + 3]) ** 0.5
            assert abs(length - 1) < 1e-3
        accessor = document["accessors"][primitive["attributes"]["POSITION"]]
        xs, ys, zs = positions[0::3], positions[1::3], positions[2::3]
        mins = [min(xs), min(ys), min(zs)]
        maxs = [max(xs), max(ys), max(zs)]
        assert accessor["min"] == pytest.approx(mins, abs=1e-6)
        assert accessor["max"] == pytest.approx(maxs, abs=1e-6)
        lows.append(mins)
        highs.append(maxs)
        material = document["materials"][primitive["material"]]
        assert len(material["pbrMetallicRoughness"]["baseColorFactor"]) == 4
    low = [min(v[k] for v in lows) for k in range(3)]
    high = [max(v[k] for v in highs) for k in range(3)]
    assert low[1] == pytest.approx(0, abs=1e-6)  # stands on the floor
    assert 0.3 <= high[1] <= 0.6  # about the size of the real thing, on a pedestal
    assert abs(low[0] + high[0]) < 1e-6 and abs(low[2] + high[2]) < 1e-6  # centred
    assert 500 <= triangles <= 20000  # low-poly but not a box


def test_the_shipped_files_are_what_the_generator_writes(tmp_path):
    written = anatomy_models.write_all(tmp_path)
    assert [p.name for p in written] == [f"{key}.glb" for key in MODELS]
    for path in written:
        shipped = DEFAULT_OUT / path.name
        assert shipped.read_bytes() == path.read_bytes(), (
            f"run `careverse care models` ({path.name})"
        )


def test_outward_winding():
    """Triangles face outwards (glTF front faces are counter-clockwise seen from outside)."""
    part = anatomy_models.Part("bone")
    anatomy_models.ellipsoid(part, (0, 0, 0), (1, 1, 1))
    normals = part.normals()
    outward = sum(
        1
        for p, n in zip(part.positions, normals, strict=True)
        if sum(a * b for a, b in zip(p, n, strict=True)) > 0
    )
    assert outward == len(part.positions)
