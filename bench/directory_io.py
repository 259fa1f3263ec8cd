"""The timed part of ``bench/directory.py`` that runs inside Django: builds an HSDS 3.0
package of ``--services`` services (as a coordinator would upload it), imports it into
the demo team's directory, exports the directory, and imports the export again (every
service then an update). Prints one JSON object: seconds per step, the process's peak
resident memory after each, and the counts. Run by ``bench/directory.py`` with the
benchmark's environment; never against a real database."""

from __future__ import annotations

import argparse
import csv
import io
import json
import resource
import sys
import time
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

import django

SPECIALTIES = ["trauma", "emdr", "couples", "substance_use", "grief", "sleep"]
KINDS = ["clinician", "clinician", "clinician", "support_group", "crisis_line", "eap", "chaplain"]
ZONES = ["America/Chicago", "America/New_York", "America/Denver", "America/Los_Angeles"]


def _csv(fields: Sequence[str], rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def package(services: int) -> dict[str, bytes]:
    """A directory of ``services`` services of services/20 organizations: two phones
    each, English (and Spanish for one in ten), weekday hours (and an evening for some),
    a kind, a cost, a time zone and a specialty; telehealth for two in five."""
    from backline.directory.hsds import tables
    from backline.directory.hsds.tables import derived_id

    orgs = [
        {"id": f"org-{n}", "name": f"Practice {n}", "description": f"Practice number {n}"}
        for n in range(max(1, services // 20))
    ]
    rows: dict[str, list[dict[str, Any]]] = {t.path: [] for t in tables.TABLES}
    rows["organizations.csv"] = orgs
    for code, (name, description) in tables.terms().items():
        rows["taxonomy_terms.csv"].append(
            {"id": derived_id("term", code), "code": code, "name": name,
             "description": description, "taxonomy": tables.TAXONOMY}
        )  # fmt: skip
    for n in range(services):
        sid = f"svc-{n}"
        rows["services.csv"].append(
            {"id": sid, "organization_id": orgs[n % len(orgs)]["id"], "name": f"Counselor {n}",
             "description": "Trauma-informed care for telecommunicators", "status": "active",
             "url": f"https://practice{n}.example/", "email": f"desk{n}@practice.example"}
        )  # fmt: skip
        for k, kind in enumerate(("voice", "text")):
            rows["phones.csv"].append(
                {"id": f"{sid}-p{k}", "service_id": sid, "number": f"555-01{n % 100:02}",
                 "type": kind}
            )  # fmt: skip
        rows["languages.csv"].append({"id": f"{sid}-en", "service_id": sid, "code": "en",
                                      "name": "English"})  # fmt: skip
        if n % 10 == 0:
            rows["languages.csv"].append({"id": f"{sid}-es", "service_id": sid, "code": "es",
                                          "name": "Spanish"})  # fmt: skip
        rows["schedules.csv"].append(
            {"id": f"{sid}-h0", "service_id": sid, "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR",
             "opens_at": "09:00", "closes_at": "17:00"}
        )  # fmt: skip
        if n % 3 == 0:
            rows["schedules.csv"].append(
                {"id": f"{sid}-h1", "service_id": sid, "freq": "WEEKLY", "byday": "TU,TH",
                 "opens_at": "18:00", "closes_at": "21:00"}
            )  # fmt: skip
        if n % 5 < 2:
            rows["locations.csv"].append({"id": f"{sid}-v", "location_type": "virtual",
                                          "name": "Telehealth"})  # fmt: skip
            rows["service_at_locations.csv"].append(
                {"id": f"{sid}-at", "service_id": sid, "location_id": f"{sid}-v"}
            )
        codes = [
            (f"kind:{KINDS[n % len(KINDS)]}", ""),
            (f"cost:{['free', 'insurance', 'sliding_scale', 'self_pay'][n % 4]}", ""),
            (f"specialty:{SPECIALTIES[n % len(SPECIALTIES)]}", ""),
            (tables.TIME_ZONE, ZONES[n % len(ZONES)]),
        ]
        for code, value in codes:
            rows["attributes.csv"].append(
                {"id": f"{sid}-{code}", "link_id": sid, "link_entity": "service",
                 "taxonomy_term_id": derived_id("term", code), "value": value}
            )  # fmt: skip
    return {t.path: _csv(t.fields, rows[t.path]) for t in tables.TABLES}


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(step: Callable[[], Any]) -> tuple[Any, float, float]:
    started = time.perf_counter()
    result = step()
    return result, time.perf_counter() - started, _peak_mib()


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--region", default="cedar-valley")
    options = parser.parse_args(argv)
    django.setup()
    from backline.accounts.models import Region
    from backline.directory.hsds import export, imports
    from backline.directory.models import Resource

    region = Region.objects.get(slug=options.region)
    before = Resource.objects.filter(region=region).count()
    files, built, _peak = _timed(lambda: package(options.services))
    size = sum(len(content) for content in files.values())
    _done, first, first_peak = _timed(lambda: imports.import_files(files, region))
    zipped, exported, export_peak = _timed(lambda: export.zipped(region))
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        again_files = {name: archive.read(name) for name in archive.namelist()}
    _done, again, again_peak = _timed(lambda: imports.import_files(again_files, region))
    after = Resource.objects.filter(region=region).count()
    if after != before + options.services or export.files(region) != again_files:
        raise SystemExit(f"the round trip changed the directory: {before} + import → {after}")
    print(
        json.dumps(
            {
                "services": after,
                "csv_mib": size / 2**20,
                "zip_mib": len(zipped) / 2**20,
                "build_s": built,
                "import_s": first,
                "import_peak_mib": first_peak,
                "export_s": exported,
                "export_peak_mib": export_peak,
                "reimport_s": again,
                "reimport_peak_mib": again_peak,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
