"""What an AFD check finds: each problem at its line and field, in Brazilian Portuguese (IT and
HR read them), and the report that gathers them. Errors make a file non-compliant; warnings
("aviso") point at what the layout leaves open or cannot be checked from the file alone."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.rep.afd_fields import ERROR
from app.rep.afd_layout import LAYOUTS, positions


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based; 0 for the file as a whole
    where: str  # 'campo 15 "CRC-16" (posições 299-302)' or ""
    message: str
    severity: str = ERROR

    def text(self) -> str:
        place = f"linha {self.line}" if self.line else "arquivo"
        where = f", {self.where}" if self.where else ""
        return f"{self.severity}: {place}{where}: {self.message}"


@dataclass(frozen=True)
class CheckReport:
    problems: tuple[Problem, ...]
    counts: dict[str, int] = field(default_factory=dict)  # records per type found

    @property
    def ok(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


def field_place(kind: str, index: int) -> str:
    """Where a field sits, as a Problem names it: 'campo 15 "CRC-16" (posições 299-302)'."""
    first, last = positions(kind)[index]
    return f'campo {index + 1} "{LAYOUTS[kind][index].label}" (posições {first:03d}-{last:03d})'
