"""Market regime: the Fed's policy path, the FOMC calendar and the regime checklist.

Pure code over the bundled calendars and a frame of closes; nothing here touches the network or
imports textual. Import the submodules directly (``tui.regime.fomc`` is light; ``checklist``
imports pandas).
"""
