"""Market context: futures quotes for the sectors capwatch detects, and what they did around an
event (the move in the alert, the window on the event page, the event study)."""
