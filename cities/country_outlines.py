"""The countries' outlines that the map draws when no tile server answers
(or none is configured): Natural Earth's 1:110m countries (public domain,
naturalearthdata.com), as the `pyogrio` package ships them in its wheel
(`pyogrio/tests/fixtures/naturalearth_lowres`), read with pyogrio itself
and written as compact GeoJSON with two decimals (about 1 km, far below
what 1:110m shows). Nothing is downloaded: the GeoJSON is made once per
process, on the first request for it, in about 0.2 s."""

from __future__ import annotations

import functools
import io
import json
from pathlib import Path

SOURCE = ("tests", "fixtures", "naturalearth_lowres", "naturalearth_lowres.shp")
PRECISION = 2  # decimals of a degree


class OutlinesUnavailable(Exception):
    """pyogrio, or its copy of Natural Earth, is not installed."""


def source_path() -> Path:
    try:
        import pyogrio
    except ImportError as error:  # pragma: no cover - a declared dependency
        raise OutlinesUnavailable("the pyogrio package is not installed") from error
    path = Path(pyogrio.__file__).parent.joinpath(*SOURCE)
    if not path.exists():
        raise OutlinesUnavailable(f"pyogrio {pyogrio.__version__} has no {path.name}")
    return path


@functools.lru_cache(maxsize=1)
def outlines_geojson() -> bytes:
    """The outlines as a GeoJSON FeatureCollection (features with a `name`)."""
    from pyogrio import raw

    path = source_path()
    meta, _fids, geometry, fields = raw.read(path, columns=["name"])
    buffer = io.BytesIO()
    raw.write(
        buffer, geometry, [fields[0]], ["name"], driver="GeoJSON", crs=meta["crs"],
        geometry_type=meta["geometry_type"],
        layer_options={"COORDINATE_PRECISION": PRECISION, "RFC7946": "YES"},
    )
    collection = json.loads(buffer.getvalue())
    compact = {"type": "FeatureCollection", "features": collection["features"]}
    return json.dumps(compact, separators=(",", ":"), ensure_ascii=False).encode()
