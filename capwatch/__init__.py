"""capwatch: alerts on capacity cuts and anti-involution actions in Chinese and English news."""

__version__ = "0.1.0"
