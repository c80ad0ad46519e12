"""Use cases shared by the window and the command line: saving records, lists, totals, the demo contract."""
