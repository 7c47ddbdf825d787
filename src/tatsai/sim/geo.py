"""Thai geography for the simulator: provinces, land borders, border towns, distances.

Province points are the provincial seats (degrees, WGS 84, rounded to 0.01°) and populations are
registered residents in thousands, rounded (Department of Provincial Administration, about
2023). The land borders are simplified polylines traced through well-known border points
(Mae Sai, the Moei river at Mae Sot, the Three Pagodas Pass, the Mekong towns, Poipet /
Aranyaprathet, Hat Lek, Padang Besar, Sungai Kolok, …); they are accurate to some 10–20 km,
which is the resolution a "near the border" rule works at. Distances are great-circle
kilometres to the nearest segment, computed, never assigned.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

EARTH_KM = 6371.0088


@dataclass(frozen=True)
class Province:
    name: str
    lat: float
    lon: float
    population_k: int
    spread_deg: float = 0.25  # how far cells scatter around the seat (1 sigma)


PROVINCES: tuple[Province, ...] = (
    Province("Bangkok", 13.75, 100.50, 5470, 0.08),
    Province("Samut Prakan", 13.60, 100.60, 1360, 0.06),
    Province("Nonthaburi", 13.86, 100.51, 1290, 0.05),
    Province("Pathum Thani", 14.02, 100.53, 1200, 0.07),
    Province("Phra Nakhon Si Ayutthaya", 14.35, 100.57, 820, 0.12),
    Province("Ang Thong", 14.59, 100.45, 275, 0.08),
    Province("Lopburi", 14.80, 100.65, 755),
    Province("Sing Buri", 14.89, 100.40, 210, 0.07),
    Province("Chai Nat", 15.19, 100.13, 325, 0.12),
    Province("Saraburi", 14.53, 100.91, 645, 0.15),
    Province("Chonburi", 13.36, 100.98, 1600, 0.15),
    Province("Rayong", 12.68, 101.28, 750, 0.15),
    Province("Chanthaburi", 12.61, 102.10, 540, 0.15),
    Province("Trat", 12.24, 102.51, 230, 0.12),
    Province("Chachoengsao", 13.69, 101.07, 730, 0.15),
    Province("Prachinburi", 14.05, 101.37, 500, 0.15),
    Province("Nakhon Nayok", 14.20, 101.21, 260, 0.08),
    Province("Sa Kaeo", 13.82, 102.07, 570, 0.18),
    Province("Nakhon Ratchasima", 14.97, 102.10, 2630, 0.35),
    Province("Buriram", 14.99, 103.10, 1580, 0.25),
    Province("Surin", 14.88, 103.49, 1390, 0.22),
    Province("Sisaket", 15.12, 104.32, 1470, 0.22),
    Province("Ubon Ratchathani", 15.24, 104.85, 1870, 0.3),
    Province("Yasothon", 15.79, 104.15, 540, 0.15),
    Province("Chaiyaphum", 15.81, 102.03, 1130, 0.25),
    Province("Amnat Charoen", 15.86, 104.63, 380, 0.12),
    Province("Bueng Kan", 18.36, 103.65, 420, 0.15),
    Province("Nong Bua Lamphu", 17.20, 102.44, 510, 0.12),
    Province("Khon Kaen", 16.43, 102.83, 1800, 0.3),
    Province("Udon Thani", 17.42, 102.79, 1590, 0.28),
    Province("Loei", 17.49, 101.72, 640, 0.25),
    Province("Nong Khai", 17.88, 102.74, 520, 0.15),
    Province("Maha Sarakham", 16.18, 103.30, 960, 0.15),
    Province("Roi Et", 16.05, 103.65, 1300, 0.2),
    Province("Kalasin", 16.43, 103.51, 980, 0.2),
    Province("Sakon Nakhon", 17.16, 104.15, 1150, 0.25),
    Province("Nakhon Phanom", 17.41, 104.78, 720, 0.18),
    Province("Mukdahan", 16.54, 104.72, 350, 0.15),
    Province("Chiang Mai", 18.79, 98.98, 1790, 0.3),
    Province("Lamphun", 18.58, 99.01, 400, 0.12),
    Province("Lampang", 18.29, 99.49, 740, 0.25),
    Province("Uttaradit", 17.63, 100.10, 450, 0.2),
    Province("Phrae", 18.14, 100.14, 440, 0.18),
    Province("Nan", 18.78, 100.78, 480, 0.25),
    Province("Phayao", 19.17, 99.90, 470, 0.18),
    Province("Chiang Rai", 19.91, 99.83, 1300, 0.25),
    Province("Mae Hong Son", 19.30, 97.97, 285, 0.2),
    Province("Nakhon Sawan", 15.70, 100.14, 1060, 0.25),
    Province("Uthai Thani", 15.38, 100.02, 330, 0.15),
    Province("Kamphaeng Phet", 16.48, 99.52, 730, 0.2),
    Province("Tak", 16.88, 99.13, 670, 0.2),
    Province("Sukhothai", 17.01, 99.82, 590, 0.18),
    Province("Phitsanulok", 16.82, 100.26, 860, 0.25),
    Province("Phichit", 16.44, 100.35, 530, 0.15),
    Province("Phetchabun", 16.42, 101.16, 990, 0.25),
    Province("Ratchaburi", 13.54, 99.81, 870, 0.15),
    Province("Kanchanaburi", 14.02, 99.53, 900, 0.25),
    Province("Suphan Buri", 14.47, 100.12, 850, 0.2),
    Province("Nakhon Pathom", 13.82, 100.06, 920, 0.1),
    Province("Samut Sakhon", 13.55, 100.27, 590, 0.07),
    Province("Samut Songkhram", 13.41, 100.00, 190, 0.05),
    Province("Phetchaburi", 13.11, 99.94, 480, 0.15),
    Province("Prachuap Khiri Khan", 11.81, 99.80, 550, 0.12),
    Province("Nakhon Si Thammarat", 8.43, 99.96, 1550, 0.25),
    Province("Krabi", 8.09, 98.91, 480, 0.15),
    Province("Phang Nga", 8.45, 98.53, 270, 0.12),
    Province("Phuket", 7.88, 98.39, 420, 0.06),
    Province("Surat Thani", 9.14, 99.33, 1070, 0.3),
    Province("Ranong", 9.96, 98.64, 195, 0.12),
    Province("Chumphon", 10.49, 99.18, 510, 0.18),
    Province("Songkhla", 7.19, 100.59, 1430, 0.2),
    Province("Satun", 6.62, 100.07, 325, 0.1),
    Province("Trang", 7.56, 99.61, 640, 0.15),
    Province("Phatthalung", 7.62, 100.08, 525, 0.12),
    Province("Pattani", 6.87, 101.25, 730, 0.12),
    Province("Yala", 6.54, 101.28, 540, 0.15),
    Province("Narathiwat", 6.43, 101.82, 810, 0.15),
)

#: Simplified land borders, (lat, lon) vertices, north to south / west to east.
BORDERS: dict[str, tuple[tuple[float, float], ...]] = {
    "MM": (
        (20.35, 100.09),  # Golden Triangle (Sop Ruak)
        (20.43, 99.89),  # Mae Sai / Tachileik
        (20.15, 99.40),
        (19.95, 98.95),
        (19.75, 98.25),
        (19.65, 97.80),
        (19.00, 97.35),  # west of Mae Hong Son
        (18.30, 97.60),
        (17.60, 97.95),
        (16.95, 98.50),
        (16.70, 98.57),  # Mae Sot / Myawaddy on the Moei river
        (16.20, 98.90),
        (15.75, 98.60),
        (15.30, 98.40),  # Three Pagodas Pass
        (14.60, 98.95),
        (14.00, 99.15),
        (13.20, 99.20),
        (12.60, 99.45),
        (11.80, 99.65),  # Thailand's narrowest point (Prachuap Khiri Khan)
        (11.20, 99.45),
        (10.60, 98.95),
        (9.96, 98.55),  # Ranong / Kawthaung, mouth of the Kra Buri
    ),
    "LA": (
        (20.35, 100.09),  # Golden Triangle
        (20.26, 100.41),  # Chiang Khong / Huay Xai
        (19.90, 100.55),
        (19.50, 101.20),
        (18.80, 101.25),
        (18.10, 101.05),
        (17.90, 101.67),  # Chiang Khan: the Mekong again
        (17.95, 102.30),
        (17.88, 102.74),  # Nong Khai / Vientiane
        (18.20, 103.20),
        (18.40, 103.65),  # Bueng Kan
        (18.00, 104.20),
        (17.40, 104.80),  # Nakhon Phanom / Thakhek
        (16.54, 104.75),  # Mukdahan / Savannakhet
        (16.05, 105.20),  # Khemmarat
        (15.32, 105.50),  # Khong Chiam
        (14.80, 105.45),
        (14.36, 105.21),  # the Emerald Triangle tripoint
    ),
    "KH": (
        (14.36, 105.21),
        (14.42, 104.68),  # Preah Vihear
        (14.40, 104.00),
        (14.35, 103.45),  # Chong Chom (Surin) / O'Smach
        (14.20, 102.95),
        (13.95, 102.75),
        (13.66, 102.55),  # Aranyaprathet / Poipet
        (13.20, 102.40),
        (12.80, 102.50),
        (12.30, 102.70),
        (11.65, 102.91),  # Hat Lek / Cham Yeam
    ),
    "MY": (
        (6.70, 100.15),  # Wang Prachan / Wang Kelian
        (6.66, 100.32),  # Padang Besar
        (6.52, 100.60),  # Sadao / Bukit Kayu Hitam
        (6.20, 100.95),
        (5.78, 101.07),  # Betong
        (5.85, 101.55),
        (6.03, 101.97),  # Sungai Kolok / Rantau Panjang
        (6.25, 102.09),  # mouth of the Kolok river
    ),
}

#: Towns at official border crossings, where cells crowd against the border:
#: (name, lat, lon, province, neighbour). Scam compounds sit across from several of them.
BORDER_TOWNS: tuple[tuple[str, float, float, str, str], ...] = (
    ("Mae Sot", 16.71, 98.57, "Tak", "MM"),
    ("Mae Sai", 20.43, 99.88, "Chiang Rai", "MM"),
    ("Chiang Saen", 20.27, 100.08, "Chiang Rai", "LA"),
    ("Chiang Khong", 20.26, 100.40, "Chiang Rai", "LA"),
    ("Sangkhla Buri", 15.16, 98.45, "Kanchanaburi", "MM"),
    ("Ranong town", 9.96, 98.63, "Ranong", "MM"),
    ("Nong Khai town", 17.87, 102.74, "Nong Khai", "LA"),
    ("Nakhon Phanom town", 17.41, 104.78, "Nakhon Phanom", "LA"),
    ("Mukdahan town", 16.54, 104.72, "Mukdahan", "LA"),
    ("Aranyaprathet", 13.69, 102.50, "Sa Kaeo", "KH"),
    ("Khlong Yai", 11.77, 102.88, "Trat", "KH"),
    ("Chong Chom", 14.43, 103.43, "Surin", "KH"),
    ("Sadao", 6.64, 100.42, "Songkhla", "MY"),
    ("Sungai Kolok", 6.03, 101.97, "Narathiwat", "MY"),
    ("Betong", 5.77, 101.07, "Yala", "MY"),
)

BORDER_COUNTRIES: tuple[str, ...] = tuple(BORDERS)


def border_distance_km(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kilometres from each point to the nearest land border, and that border's country index.

    Distance to a segment is measured in a local equirectangular projection around the point
    (error well under 1 % at these distances), then the minimum over all segments is taken.
    Returns ``(km, country_index)`` with ``country_index`` indexing :data:`BORDER_COUNTRIES`.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    best = np.full(lat.shape, np.inf)
    which = np.zeros(lat.shape, dtype=np.int8)
    kx = np.radians(1.0) * EARTH_KM * np.cos(np.radians(lat))  # km per degree of longitude
    ky = np.radians(1.0) * EARTH_KM
    for index, country in enumerate(BORDER_COUNTRIES):
        line = np.asarray(BORDERS[country])
        for (lat1, lon1), (lat2, lon2) in itertools.pairwise(line):
            ax, ay = (lon1 - lon) * kx, (lat1 - lat) * ky
            bx, by = (lon2 - lon) * kx, (lat2 - lat) * ky
            dx, dy = bx - ax, by - ay
            seg2 = dx * dx + dy * dy
            t = np.clip(-(ax * dx + ay * dy) / np.where(seg2 > 0, seg2, 1.0), 0.0, 1.0)
            px, py = ax + t * dx, ay + t * dy
            dist = np.hypot(px, py)
            closer = dist < best
            best = np.where(closer, dist, best)
            which = np.where(closer, index, which).astype(np.int8)
    return best, which


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: float, lon2: float) -> np.ndarray:
    """Great-circle distance in km from each (lat1, lon1) to one point."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlam = np.radians(lon2 - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2) ** 2
    return np.asarray(2 * EARTH_KM * np.arcsin(np.sqrt(a)))
