"""The ground floor: basics every layer may import (time zone, redaction, logging, time parsing).

Nothing here imports another capwatch package; every other package may import from here.
"""
