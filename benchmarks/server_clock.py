"""Processor time of a PostgreSQL cluster's server processes, read from /proc: the work that moves to the server."""
from __future__ import annotations

import os
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None  # the process ended between the listing and the reading
    # The command name (second field) may hold spaces: the fields that follow start after its closing parenthesis.
    return text[text.rindex(")") + 2:].split()


class ServerClock:
    """The postmaster and its children (backends, autovacuum, checkpointer…), found once per reading or kept.

    A backend that ended is counted in the postmaster's cutime/cstime (the postmaster reaps its children); a live
    one in its own utime/stime: their sum over the cluster only grows, whatever connections come and go."""

    def __init__(self, postmaster: int) -> None:
        self.postmaster = postmaster
        self.children = self._children()

    @classmethod
    def of_data_folder(cls, data: Path) -> ServerClock:
        """The cluster whose data folder holds postmaster.pid (its first line is the postmaster's pid)."""
        return cls(int((data / "postmaster.pid").read_text().splitlines()[0]))

    def _children(self) -> list[int]:
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                fields = _stat_fields(int(entry))
                if fields is not None and int(fields[1]) == self.postmaster:
                    found.append(int(entry))
        return found

    def refresh(self) -> None:
        """List the children again (outside a timed step: scanning /proc costs a few ms of our own processor)."""
        self.children = self._children()

    def seconds(self) -> float:
        """Processor seconds (user + system) used by the cluster since it started."""
        ticks = 0
        fields = _stat_fields(self.postmaster)
        if fields is not None:
            # utime, stime, cutime, cstime are fields 14 to 17 of stat, i.e. 11 to 14 after the command name.
            ticks += sum(int(value) for value in fields[11:15])
        for pid in self.children:
            fields = _stat_fields(pid)
            if fields is not None and int(fields[1]) == self.postmaster:
                ticks += sum(int(value) for value in fields[11:15])
        return ticks / _TICK
