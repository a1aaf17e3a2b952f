"""Which events belong to one period's or one certificate's part of the log.

A certificate's part: its own events (issue, funding, reservations, charges, releases,
refunds, expiry, nominal changes), its child registration, its contracts' events, the
period's record of its funding, and, as context, the events of the periods it is funded
in (opening, nominal changes, close). A period's part: every event that names the period,
its contracts' events, the issue and registration of every certificate with money in it,
and the registry events (providers, programs) of its contracts. A provider's account
(advances, invoices, payments: rules 16, 17) spans periods and belongs to no part. Both
at once: the events in both parts. Request records belong to no part.

Deciding needs the whole log first (a certificate is issued before anyone knows which
periods will fund it), so `learn` sees every event once, then `includes` decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pfdo.audit.problems import aggregate_class, event_name

_CONTEXT = {
    "Period.Opened",
    "Period.NominalChanged",
    "Period.SettingsChanged",
    "Period.LimitsChanged",
    "Period.TalliesAbsorbed",
    "Period.RoomDealt",
    "Period.ShardsCollected",
    "Period.Closed",
}
#: The period's records of one certificate: its funding, unfunding and waiting.
_OF_A_CERTIFICATE = {
    "Period.CertificateFunded",
    "Period.CertificateUnfunded",
    "Period.Queued",
    "Period.LeftQueue",
    "FundingTally.Counted",
    "RoomShard.Drawn",
}


class Scope:
    """The part of the log that belongs to a period, a certificate, or both."""

    def __init__(self, period: str | None, certificate: str | None) -> None:
        self.period, self.certificate = period, certificate
        self._contracts: dict[str, tuple[str, str]] = {}  # contract -> (number, period)
        self._funded: dict[str, set[str]] = {}  # number -> periods
        self._in_period: set[str] = set()  # numbers with money in the period
        self._registry: set[tuple[str, str]] = set()  # ("Program", code) of its contracts
        self._municipality: str | None = None  # the period's
        self.known = {"certificate": certificate is None, "period": period is None}

    @property
    def whole(self) -> bool:
        return self.period is None and self.certificate is None

    def learn(self, topic: str, payload: Mapping[str, Any]) -> None:
        name = event_name(topic)
        if name == "Certificate.Issued" and payload["number"] == self.certificate:
            self.known["certificate"] = True
        if name == "Contract.Enrolled":
            self._contracts[payload["contract"]] = (payload["number"], payload["period"])
            if payload["period"] == self.period:
                self._registry.add(("Program", payload["program"]))
                self._registry.add(("Provider", payload["provider"]))
        elif name == "Period.Opened" and payload["period"] == self.period:
            self._municipality = payload["municipality"]
            self.known["period"] = True
        elif name == "Certificate.Funded":
            self._funded.setdefault(payload["number"], set()).add(payload["period"])
        if aggregate_class(topic) == "Certificate" and payload.get("period") == self.period:
            self._in_period.add(payload["number"])

    def includes(self, topic: str, payload: Mapping[str, Any]) -> bool:
        if self.whole:
            return True
        kind = aggregate_class(topic)
        if kind == "RequestRecord":
            return False
        in_certificate = self.certificate is None or self._of_certificate(topic, kind, payload)
        return in_certificate and (self.period is None or self._of_period(topic, kind, payload))

    def _of_certificate(self, topic: str, kind: str, payload: Mapping[str, Any]) -> bool:
        if kind == "Contract":
            return self._contracts.get(payload["contract"], ("", ""))[0] == self.certificate
        if event_name(topic) in _CONTEXT:
            return payload["period"] in self._funded.get(self.certificate or "", set())
        owned = (
            kind in ("Certificate", "ChildRegistration") or event_name(topic) in _OF_A_CERTIFICATE
        )
        return owned and payload.get("number") == self.certificate

    def _of_period(self, topic: str, kind: str, payload: Mapping[str, Any]) -> bool:
        if kind == "Contract" or event_name(topic).startswith("Program.Contract"):
            return self._contracts.get(payload["contract"], ("", ""))[1] == self.period
        if "period" in payload:
            return bool(payload["period"] == self.period)
        if kind in ("Certificate", "ChildRegistration"):
            return payload.get("number") in self._in_period
        if kind in ("Provider", "Program"):
            return (kind, payload.get(kind.lower())) in self._registry
        return kind == "Municipality" and payload.get("municipality") == self._municipality
