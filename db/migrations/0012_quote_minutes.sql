-- Market context, intraday (issue 15): one-minute bars of the futures' main-continuous series,
-- so an alert shows the move at the time it is sent (the price at or just before that minute
-- against the previous close). Kept for CAPWATCH_QUOTES_MINUTE_DAYS days (market/fetch.py
-- prunes older rows after each fetch): the alert only needs the current session.
CREATE TABLE quote_minutes (
    symbol        text NOT NULL,          -- e.g. 'PS0' (Sina's main-continuous symbol)
    at            timestamptz NOT NULL,   -- the bar's labelled minute (Beijing on the wire)
    open          numeric NOT NULL,
    high          numeric NOT NULL,
    low           numeric NOT NULL,
    close         numeric NOT NULL,       -- the price an alert reads
    volume        bigint,
    open_interest bigint,
    fetched_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (symbol, at)
);

CREATE INDEX quote_minutes_at ON quote_minutes (at);  -- the retention prune

COMMENT ON TABLE quote_minutes IS
    'One-minute bars of main-continuous futures series; short retention (alerts read the session).';
