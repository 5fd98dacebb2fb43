-- Market context: daily bars of the futures' main-continuous series (detection/contracts.toml).
-- One row per symbol and trading day; a bar fetched during the session is provisional (its
-- close is the last price then) until a fetch after the close replaces it.
CREATE TABLE quote_bars (
    symbol      text NOT NULL,                 -- e.g. 'PS0' (Sina's main-continuous symbol)
    day         date NOT NULL,                 -- the trading day (Beijing)
    open        numeric NOT NULL,
    high        numeric NOT NULL,
    low         numeric NOT NULL,
    close       numeric NOT NULL,              -- moves are computed on closes
    settle      numeric,                       -- the exchange's settlement price, when given
    volume      bigint,
    open_interest bigint,
    final       boolean NOT NULL DEFAULT true, -- false: fetched before the day's close
    fetched_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (symbol, day)
);

COMMENT ON TABLE quote_bars IS 'Daily bars of main-continuous futures series; moves use close.';
