"""Display names of the default universe and the regional-bank stand-in for KRE's holdings."""

from __future__ import annotations

NAMES: dict[str, str] = {
    "SPY": "SPDR S&P 500",
    "QQQ": "Invesco QQQ (Nasdaq-100)",
    "RSP": "Invesco S&P 500 Equal Weight",
    "DIA": "SPDR Dow Jones Industrial Average",
    "IWM": "iShares Russell 2000 (small caps)",
    "VBR": "Vanguard Small-Cap Value",
    "EEM": "iShares MSCI Emerging Markets",
    "EEMV": "iShares MSCI EM Min Vol Factor",
    "DFAT": "Dimensional U.S. Targeted Value",
    "XLK": "Technology Select Sector SPDR",
    "XLF": "Financial Select Sector SPDR",
    "XLE": "Energy Select Sector SPDR",
    "XLI": "Industrial Select Sector SPDR",
    "XLU": "Utilities Select Sector SPDR",
    "XLV": "Health Care Select Sector SPDR",
    "XLY": "Consumer Discretionary Select Sector SPDR",
    "XLP": "Consumer Staples Select Sector SPDR",
    "XLB": "Materials Select Sector SPDR",
    "XLRE": "Real Estate Select Sector SPDR",
    "XLC": "Communication Services Select Sector SPDR",
    "KRE": "SPDR S&P Regional Banking",
    "CFG": "Citizens Financial Group",
    "RF": "Regions Financial",
    "ZION": "Zions Bancorporation",
    "AAON": "AAON Inc",
    "ROAD": "Construction Partners",
    "^VIX": "CBOE Volatility Index",
    "^TNX": "10-year Treasury yield (%)",
    "^IRX": "13-week Treasury bill yield (%)",
    "HYG": "iShares iBoxx High Yield Corporate Bond",
    "IEF": "iShares 7-10 Year Treasury Bond",
    "TLT": "iShares 20+ Year Treasury Bond",
    "UUP": "Invesco DB US Dollar Index Bullish",
}

SECTOR_ETFS: tuple[str, ...] = (
    "XLK",
    "XLF",
    "XLE",
    "XLI",
    "XLU",
    "XLV",
    "XLY",
    "XLP",
    "XLB",
    "XLRE",
    "XLC",
)
"""The 11 Select Sector SPDR ETFs (the one list of them: config, breadth, exposure)."""

FACTOR_ETFS: tuple[str, ...] = (
    "MTUM",
    "QUAL",
    "USMV",
    "VLUE",
    "SIZE",
    "IWD",
    "IWF",
    "SPHB",
    "SPLV",
    "MGK",
)
"""The ten factor ETFs of the bundled factors_daily.csv.gz (the Factors group)."""

# No holdings file was found for KRE; the universe's own regional banks stand in for it.
STAND_IN_HOLDINGS: dict[str, tuple[str, ...]] = {"KRE": ("CFG", "RF", "ZION")}

# Yields and index levels: a ratio of them to a price is no relative strength.
NOT_PRICES = frozenset({"^VIX", "^TNX", "^IRX"})


# Funds in the default universe: no earnings dates to ask for.
ETFS = frozenset(
    {
        "SPY",
        "QQQ",
        "RSP",
        "DIA",
        "IWM",
        "VBR",
        "EEM",
        "EEMV",
        "DFAT",
        "KRE",
        "HYG",
        "IEF",
        "TLT",
        "UUP",
        *SECTOR_ETFS,
        *FACTOR_ETFS,
        "IWD",
        "IWF",
        "VTV",
        "VUG",
    }
)

# Yields in percent: their moves are read in basis points, not as percentage returns.
YIELDS = frozenset({"^TNX", "^IRX", "^FVX", "^TYX"})


def name_of(symbol: str) -> str:
    """A readable name, or the symbol itself."""
    return NAMES.get(symbol, symbol)
