"""Which futures contracts a sector moves: detection/contracts.toml, read once."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from detection import vocabulary

CONTRACTS_FILE = Path(__file__).with_name("contracts.toml")
EXCHANGES = ("GFEX", "ZCE", "DCE", "SHFE", "INE")


@dataclass(frozen=True)
class Contract:
    """One product's main-continuous series (`main` is the symbol quotes are stored under)."""

    code: str
    exchange: str
    zh: str
    en: str

    @property
    def main(self) -> str:
        return f"{self.code}0"

    def label(self) -> str:
        return f"{self.code} main"


@dataclass(frozen=True)
class ContractBook:
    contracts: dict[str, Contract]
    by_sector: dict[str, tuple[str, ...]]

    def for_sectors(self, sectors: tuple[str, ...] | list[str]) -> tuple[Contract, ...]:
        """The contracts of these sectors, in sector order, each once."""
        seen: dict[str, Contract] = {}
        for sector in sectors:
            for code in self.by_sector.get(sector, ()):
                seen.setdefault(code, self.contracts[code])
        return tuple(seen.values())

    def by_main(self, symbol: str) -> Contract | None:
        code = symbol[:-1] if symbol.endswith("0") else symbol
        return self.contracts.get(code)


def read_book(path: Path = CONTRACTS_FILE) -> ContractBook:
    """Parse and check the file: known exchanges, known sectors, contracts that exist."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    contracts = {}
    for code, entry in data.get("contracts", {}).items():
        exchange = entry["exchange"]
        if exchange not in EXCHANGES:
            raise ValueError(f"{path.name}: contract {code}: unknown exchange {exchange!r}")
        contracts[code] = Contract(code, exchange, entry["zh"], entry["en"])
    known = {term.slug for term in vocabulary.sectors()}
    by_sector: dict[str, tuple[str, ...]] = {}
    for sector, codes in data.get("sectors", {}).items():
        if sector not in known:
            raise ValueError(f"{path.name}: unknown sector {sector!r}")
        missing = [c for c in codes if c not in contracts]
        if missing:
            raise ValueError(f"{path.name}: sector {sector}: unknown contracts {missing}")
        by_sector[sector] = tuple(codes)
    return ContractBook(contracts, by_sector)


@cache
def book() -> ContractBook:
    return read_book()
