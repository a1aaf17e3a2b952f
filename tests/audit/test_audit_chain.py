"""The chain's arithmetic, pinned: canonical payloads, commitments and link hashes.

No store here. The known answers below are the ones docs/AUDIT.md gives auditors who
write their own verifier; each is also recomputed from the documented recipe with
nothing but hashlib, so the code and the documentation cannot drift apart.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from pfdo.projections.canonical import (
    COMMITMENT,
    Commitments,
    canonical_json,
    check_openings,
    commitment,
    payload_digest,
)
from pfdo.projections.chain import GENESIS, link_hash

FUNDED = "pfdo.domain.certificate:Certificate.Funded"
ISSUED = "pfdo.domain.certificate:Certificate.Issued"
AGGREGATE = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
PAYLOAD = {"on": {"_type_": "date_iso", "_data_": "2025-01-06"}, "amount": 1200000,
           "number": "1000000001"}  # fmt: skip


def by_the_recipe(*parts: bytes) -> bytes:
    """docs/AUDIT.md: each part prefixed by its length in 8 bytes, big-endian; sha256."""
    return hashlib.sha256(b"".join(len(p).to_bytes(8, "big") + p for p in parts)).digest()


def test_the_canonical_payload_sorts_keys_and_drops_whitespace() -> None:
    assert canonical_json({"b": 1, "a": {"d": [1, 2], "c": "ё"}}) == (
        '{"a":{"c":"ё","d":[1,2]},"b":1}'.encode()
    )
    assert canonical_json(PAYLOAD) == json.dumps(
        PAYLOAD, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def test_the_payload_digest_is_the_sha256_of_the_canonical_payload() -> None:
    digest = payload_digest(PAYLOAD)
    assert digest == hashlib.sha256(canonical_json(PAYLOAD)).digest()
    assert digest.hex() == "4b9be38bdaf6a00013149a9dbafae9e871962df8659e80c4cea4638fb7c539d8"


def test_the_first_link_hashes_the_documented_fields_after_the_genesis_hash() -> None:
    digest = payload_digest(PAYLOAD)
    found = link_hash(1, AGGREGATE, 1, FUNDED, digest, GENESIS)
    fields = (b"pfdo-chain/1", b"1", AGGREGATE.encode(), b"1", FUNDED.encode(), digest, bytes(32))
    assert found == by_the_recipe(*fields)
    assert found.hex() == "085d3b004d26302a2e968277082424e1185ed0670dbc146dcf290d6f8d080ef2"


@pytest.mark.parametrize(
    "changed",
    [
        {"position": 2},
        {"originator_id": "6ba7b811-9dad-11d1-80b4-00c04fd430c8"},
        {"version": 2},
        {"topic": ISSUED},
        {"digest": payload_digest({**PAYLOAD, "amount": 1200001})},
        {"prev": bytes(31) + b"\x01"},
    ],
    ids=lambda changed: next(iter(changed)),
)
def test_every_field_of_an_event_changes_its_hash(changed: dict[str, object]) -> None:
    fields: dict[str, object] = {"position": 1, "originator_id": AGGREGATE, "version": 1,
                                 "topic": FUNDED, "digest": payload_digest(PAYLOAD),
                                 "prev": GENESIS}  # fmt: skip
    assert link_hash(**{**fields, **changed}) != link_hash(**fields)  # type: ignore[arg-type]


def test_framing_keeps_the_boundaries_between_fields() -> None:
    digest = payload_digest(PAYLOAD)
    assert link_hash(11, AGGREGATE, 1, FUNDED, digest, GENESIS) != link_hash(
        1, AGGREGATE, 11, FUNDED, digest, GENESIS
    )


def test_a_commitment_is_the_sha256_of_tag_nonce_and_canonical_value() -> None:
    nonce = bytes(32)
    expected = by_the_recipe(b"pfdo-personal/1", nonce, b'"child-01"').hex()
    assert commitment(nonce, "child-01") == expected
    assert expected == "f373f7180ef1cb8020d2099d5c9344c1e3ac062bd8473ccd1d59096fea9e3bbf"


def test_personal_fields_are_replaced_by_commitments_that_their_openings_match() -> None:
    payload = {"number": "1000000001", "child": "child-01", "municipality": "kazan",
               "birth_date": {"_type_": "date_iso", "_data_": "2016-03-14"}}  # fmt: skip
    committed = Commitments(b"secret").commit(AGGREGATE, 1, ISSUED, payload)
    assert committed.payload["number"] == "1000000001"
    assert set(committed.payload["child"]) == set(committed.payload["birth_date"]) == {COMMITMENT}
    assert "child-01" not in canonical_json(committed.payload).decode()
    assert check_openings(committed.payload, committed.openings) == []
    assert committed.with_personal_data() == payload


def test_a_personal_value_that_is_not_the_committed_one_is_named() -> None:
    payload = {"child": "child-01", "birth_date": "2016-03-14"}
    committed = Commitments(b"secret").commit(AGGREGATE, 1, ISSUED, payload)
    altered = {**committed.openings, "child": {**committed.openings["child"], "value": "x"}}
    assert check_openings(committed.payload, altered) == ["child"]


def test_commitments_hide_equal_values_behind_different_nonces() -> None:
    commitments = Commitments(b"secret")
    first = commitments.commit(AGGREGATE, 1, ISSUED, {"birth_date": "2016-03-14"})
    other = commitments.commit(AGGREGATE, 2, ISSUED, {"birth_date": "2016-03-14"})
    assert first.payload != other.payload
    another_store = Commitments(b"other secret").commit(AGGREGATE, 1, ISSUED,
                                                        {"birth_date": "2016-03-14"})  # fmt: skip
    assert another_store.payload != first.payload


def test_events_without_personal_data_are_left_as_they_are() -> None:
    committed = Commitments(b"secret").commit(AGGREGATE, 1, FUNDED, dict(PAYLOAD))
    assert committed.payload == PAYLOAD and committed.openings == {}
