-- Alerts and the bot: per-chat preferences, threaded updates, resumable multi-part sends.
--
-- Outbox kinds (the unique key (event_id, chat_id, kind) stays the idempotency):
--   alert   the first message about an event in a chat (written once, with the event)
--   update  later reports of that event: ONE row per (event, chat), re-armed (revision + 1)
--           at every new report; the sender edits the first message or replies to it
--   digest  the event for a chat in digest mode; due at that chat's digest time, sent
--           together with the chat's other due digest rows as one message

ALTER TABLE chats
    ADD COLUMN digest       boolean NOT NULL DEFAULT false,
    ADD COLUMN digest_time  time,            -- Beijing time; NULL = the configured default
    ADD COLUMN quiet_start  time,            -- Beijing time; alerts arrive silently inside
    ADD COLUMN quiet_end    time;

ALTER TABLE outbox
    ADD COLUMN revision      integer NOT NULL DEFAULT 0,   -- bumped when an update is re-armed
    ADD COLUMN sent_revision integer,                      -- the revision the sent text showed
    ADD COLUMN parts_sent    integer NOT NULL DEFAULT 0,   -- parts of a split message delivered
    ADD COLUMN reported_at   timestamptz;                  -- failure reported to the admins

ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
    CHECK (kind IN ('alert', 'update', 'digest'));

CREATE INDEX outbox_failed_unreported ON outbox (id)
    WHERE status = 'failed' AND reported_at IS NULL;
CREATE INDEX outbox_chat_pending ON outbox (chat_id) WHERE status IN ('pending', 'sending');

-- The next moment a Beijing wall-clock time comes round (digest due times).
CREATE FUNCTION capwatch_next_beijing(t time) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN today > now() THEN today ELSE today + interval '1 day' END
    FROM (SELECT (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') + t)
                 AT TIME ZONE 'Asia/Shanghai' AS today) AS s
$$;
