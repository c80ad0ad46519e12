"""Child process for the start-up benchmark: show the window (or a bare one) and report when it has painted."""
from __future__ import annotations

import argparse
import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("--bare", action="store_true")
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    if args.bare:
        window = QMainWindow()
        window.resize(1200, 800)
    else:
        from cvdesk.store.database import open_database
        from cvdesk.ui.main_window import MainWindow

        open_database(Path(args.db), defer_check=True)
        window = MainWindow(Path(args.db))
    window.show()
    app.processEvents()
    window.grab()  # forces the first full paint of every visible widget
    print("peint", flush=True)
    app.processEvents()
    print(f"rss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}", flush=True)


if __name__ == "__main__":
    main()
