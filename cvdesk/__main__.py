"""`python -m cvdesk`: the command line."""
import sys

from cvdesk.cli import main

sys.exit(main())
