"""The writer against the validator and the layout: whatever records it is given (any names, any
offsets, any mix of types), the file passes `export check`; any one character changed in a
record of types 1-5 is caught by its CRC (or, for the type character, read as another type)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from afd_support import kermit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.rep import afd
from app.rep.afd_check import check_afd

CPF = "52998224725"
when = st.builds(
    lambda minutes, offset: (
        datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=offset))) + timedelta(minutes=minutes)
    ),
    st.integers(0, 60 * 24 * 365),
    st.sampled_from([-5, -4, -3, -2, 0]),
)
name = st.text(min_size=1, max_size=200).filter(lambda s: s.strip() and s.isprintable())
record = st.one_of(
    st.builds(lambda t, n, p: ("2", t, n, p), when, name, name),
    st.builds(lambda t, d: ("4", t, d), when, st.integers(-600, 600)),
    st.builds(lambda t, op, n: ("5", t, op, n), when, st.sampled_from("IAE"), name),
    st.builds(lambda t, c: ("6", t, c), when, st.sampled_from(["02", "07", "08"])),
    st.builds(lambda t, off: ("7", t, off), when, st.booleans()),
)


def _make(spec: tuple, nsr: int) -> afd.Record:
    kind, t = spec[0], spec[1]
    if kind == "2":
        return afd.EmployerRecord(nsr, t, CPF, "11222333000181", spec[2], spec[3])
    if kind == "4":
        return afd.ClockRecord(nsr, t, t + timedelta(seconds=spec[2]), CPF)
    if kind == "5":
        return afd.EmployeeRecord(nsr, t, spec[2], CPF, spec[3], CPF)
    if kind == "6":
        return afd.SensitiveRecord(nsr, t, spec[2])
    return afd.PunchRecord(nsr, t, CPF, t, spec[2])


def _build(specs: list[tuple]) -> bytes:
    records = [_make(s, i) for i, s in enumerate(specs, 1)]
    dates = [afd.record_date(r) for r in records]
    header = afd.Header("11222333000181", "Empresa Ação Ltda", "12345678901234567",
                        min(dates), max(dates), datetime(2027, 1, 1, tzinfo=UTC),
                        "11444777000161")  # fmt: skip
    return afd.build_afd(header, records)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(record, min_size=1, max_size=12))
def test_any_written_file_passes_check(specs):
    report = check_afd(_build(specs))
    assert report.ok, [p.text() for p in report.problems]
    assert report.counts.get("7", 0) == sum(1 for s in specs if s[0] == "7")


@settings(max_examples=60, deadline=None)
@given(st.lists(record, min_size=1, max_size=6), st.data())
def test_one_changed_character_in_types_1_to_5_breaks_its_crc(specs, data):
    lines = _build(specs).decode("iso-8859-1").split("\r\n")
    with_crc = [
        i for i, line in enumerate(lines) if line and line[9:10] in "12345" and i < len(lines) - 3
    ]
    i = data.draw(st.sampled_from(with_crc))
    pos = data.draw(st.integers(0, len(lines[i]) - 5))
    new = data.draw(st.sampled_from("0123456789 ABCxyz").filter(lambda c: c != lines[i][pos]))
    lines[i] = lines[i][:pos] + new + lines[i][pos + 1 :]
    report = check_afd("\r\n".join(lines).encode("iso-8859-1"))
    if pos == 9:  # the record type itself: the line is read as another type, or none
        assert any(p.line == i + 1 for p in report.errors)
    else:
        assert any(p.line == i + 1 and "CRC-16 não confere" in p.message for p in report.errors)


def test_writer_crc_matches_an_independent_implementation():
    line = afd.ClockRecord(7, "2026-03-02T08:00:59-03:00", "2026-03-02T08:03:10-03:00", CPF).line()
    assert line == "00000000742026-03-02T08:00:00-03002026-03-02T08:03:00-0300" + CPF + kermit(
        line[:-4].encode("iso-8859-1")
    )


def test_fields_that_cannot_fit_are_refused_not_cut():
    with pytest.raises(ValueError, match="does not fit"):
        afd.SensitiveRecord(1_000_000_000, "2026-03-02T08:00:00-03:00", "02").line()
    with pytest.raises(ValueError, match="UTC offset"):
        afd.SensitiveRecord(1, "2026-03-02T08:00:00", "02").line()
    with pytest.raises(ValueError, match="17 digits"):
        afd.Header("11222333000181", "X", "123", date(2026, 1, 1), date(2026, 1, 1),
                   datetime(2026, 1, 1, tzinfo=UTC), "11444777000161").line()  # fmt: skip
    with pytest.raises(ValueError, match="NSR order"):
        afd.build_afd(afd.Header("11222333000181", "X", "1" * 17, date(2026, 1, 1),
                                 date(2026, 1, 1), datetime(2026, 1, 1, tzinfo=UTC),
                                 "11444777000161"),
                      [afd.SensitiveRecord(2, "2026-01-01T08:00:00-03:00", "02"),
                       afd.SensitiveRecord(2, "2026-01-01T08:00:00-03:00", "07")])  # fmt: skip


def test_names_are_latin1_and_cut_to_the_field():
    line = afd.EmployeeRecord(3, "2026-03-02T08:00:00-03:00", "I", CPF, "Zoë Ñandú 李" + "x" * 60,
                              CPF).line()  # fmt: skip
    assert line[47:99] == ("Zoë Ñandú ?" + "x" * 60)[:52]
    assert check_afd(afd.build_afd(
        afd.Header("11222333000181", "X", "1" * 17, date(2026, 3, 2), date(2026, 3, 2),
                   datetime(2026, 3, 2, tzinfo=UTC), "11444777000161"),
        [afd.EmployeeRecord(3, "2026-03-02T08:00:00-03:00", "I", CPF, "Nome\r\nQuebrado", CPF)],
    )).ok  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(record, min_size=1, max_size=5), st.data())
def test_the_checker_never_crashes_on_damaged_files(specs, data):
    """Any bytes changed, cut or inserted: a report, never an exception."""
    raw = bytearray(_build(specs))
    for _ in range(data.draw(st.integers(1, 6))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["set", "cut", "insert"]))
        byte = data.draw(st.integers(0, 255) | st.sampled_from(list(b"0123456789\r\n -T:\xb2")))
        if action == "set":
            raw[pos] = byte
        elif action == "cut":
            del raw[pos]
        else:
            raw.insert(pos, byte)
    report = check_afd(bytes(raw))
    assert all(p.text() for p in report.problems)


@given(st.binary(max_size=600))
def test_the_checker_never_crashes_on_random_bytes(raw):
    check_afd(raw)
