-- Analysts' verdicts on alerted events (issue 11.5): from the alert's buttons in Telegram or
-- from the web console. Training data for `capwatch train --feedback`, and a "not relevant"
-- from a chat mutes that event's later updates in that chat.
CREATE TABLE feedback (
    id          bigserial PRIMARY KEY,
    event_id    text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    verdict     text NOT NULL CHECK (verdict IN ('useful', 'not_relevant', 'wrong_sector')),
    sectors     text[] NOT NULL DEFAULT '{}',   -- wrong_sector: the sectors the analyst chose
    chat_id     bigint,                          -- NULL: given in the web console
    user_id     bigint,
    user_name   text,
    origin      text NOT NULL DEFAULT 'telegram' CHECK (origin IN ('telegram', 'web')),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_event ON feedback (event_id, created_at);
CREATE INDEX feedback_created ON feedback (created_at);

-- True when the latest verdict a chat gave on an event is "not relevant".
CREATE FUNCTION capwatch_event_muted(event text, chat bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT COALESCE((SELECT f.verdict = 'not_relevant' FROM feedback f
                     WHERE f.event_id = event AND f.chat_id = chat
                     ORDER BY f.created_at DESC, f.id DESC LIMIT 1), false)
$$;
