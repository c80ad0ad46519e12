"""Entry point: `python main.py [--db PATH]` opens the window; subcommands run headless."""
import sys

from cvdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
