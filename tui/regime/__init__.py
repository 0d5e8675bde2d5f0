"""Market regime: the rules (rules.toml + engine), the Fed's policy path, the FOMC calendar and
the catalysts (events file, earnings).

Pure code over the bundled calendars and a frame of closes; nothing here touches the network or
imports textual. Import the submodules directly (``fomc``, ``rules``, ``events`` and
``catalysts`` are light; ``engine`` imports pandas).
"""
