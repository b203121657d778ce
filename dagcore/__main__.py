"""``python -m dagcore`` runs the command line."""

import sys

from dagcore.cli import main

sys.exit(main())
