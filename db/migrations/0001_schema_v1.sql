-- Schema v1. Unique keys make every stage idempotent:
--   articles(url), articles(source_key, external_id)  a crawl stores an item once
--   detections(article_id)                             an article is classified once per run
--   event_articles(article_id)                         an article belongs to one event
--   outbox(event_id, chat_id, kind)                    an event alerts a chat once per kind

CREATE TABLE sources (
    key          text PRIMARY KEY,
    name         text NOT NULL,
    kind         text NOT NULL,
    tier         text NOT NULL DEFAULT 'media',
    lang         text,
    enabled      boolean NOT NULL DEFAULT true,
    config       jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE crawl_runs (
    id             bigserial PRIMARY KEY,
    source_key     text NOT NULL,
    executor       text NOT NULL DEFAULT 'inprocess',
    status         text NOT NULL DEFAULT 'running'
                   CHECK (status IN ('running', 'finished', 'failed', 'timeout')),
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    finish_reason  text,
    requests       integer NOT NULL DEFAULT 0,
    items          integer NOT NULL DEFAULT 0,
    new_articles   integer NOT NULL DEFAULT 0,
    errors         integer NOT NULL DEFAULT 0,
    duration_s     double precision,
    stats          jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX crawl_runs_source_started ON crawl_runs (source_key, started_at DESC);

CREATE TABLE articles (
    id             bigserial PRIMARY KEY,
    source_key     text NOT NULL,
    external_id    text NOT NULL,
    url            text NOT NULL,
    title          text NOT NULL,
    body           text NOT NULL DEFAULT '',
    lang           text,
    author         text,
    published_at   timestamptz,
    first_seen_at  timestamptz NOT NULL DEFAULT now(),
    crawl_run_id   bigint REFERENCES crawl_runs (id) ON DELETE SET NULL,
    raw            jsonb,
    detected_at    timestamptz,
    CONSTRAINT articles_url_key UNIQUE (url),
    CONSTRAINT articles_source_external_key UNIQUE (source_key, external_id)
);
CREATE INDEX articles_pending ON articles (id) WHERE detected_at IS NULL;
CREATE INDEX articles_published ON articles (published_at DESC);

CREATE TABLE detections (
    article_id        bigint PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    relevant          boolean NOT NULL,
    score             real NOT NULL,
    sectors           text[] NOT NULL DEFAULT '{}',
    actions           text[] NOT NULL DEFAULT '{}',
    actors            text[] NOT NULL DEFAULT '{}',
    figures           text[] NOT NULL DEFAULT '{}',
    evidence          jsonb NOT NULL DEFAULT '[]'::jsonb,
    detector_version  text NOT NULL,
    detected_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX detections_relevant ON detections (article_id) WHERE relevant;

CREATE TABLE events (
    id                text PRIMARY KEY,
    sectors           text[] NOT NULL DEFAULT '{}',
    actions           text[] NOT NULL DEFAULT '{}',
    actors            text[] NOT NULL DEFAULT '{}',
    headline          text NOT NULL,
    first_article_id  bigint REFERENCES articles (id) ON DELETE SET NULL,
    first_seen_at     timestamptz NOT NULL DEFAULT now(),
    last_seen_at      timestamptz NOT NULL DEFAULT now(),
    report_count      integer NOT NULL DEFAULT 1,
    state             jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX events_last_seen ON events (last_seen_at DESC);

CREATE TABLE event_articles (
    event_id    text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    article_id  bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    reason      text NOT NULL DEFAULT '',
    added_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, article_id),
    CONSTRAINT event_articles_article_key UNIQUE (article_id)
);

CREATE TABLE chats (
    chat_id          bigint PRIMARY KEY,
    title            text,
    kind             text,
    active           boolean NOT NULL DEFAULT true,
    inactive_reason  text,
    migrated_to      bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE subscriptions (
    chat_id     bigint NOT NULL REFERENCES chats (chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    sector      text NOT NULL DEFAULT '*',
    action      text NOT NULL DEFAULT '*',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chat_id, sector, action)
);

CREATE TABLE outbox (
    id                   bigserial PRIMARY KEY,
    event_id             text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    chat_id              bigint NOT NULL,
    kind                 text NOT NULL DEFAULT 'alert',
    payload              jsonb NOT NULL,
    status               text NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts             integer NOT NULL DEFAULT 0,
    next_attempt_at      timestamptz NOT NULL DEFAULT now(),
    last_error           text,
    telegram_message_id  bigint,
    created_at           timestamptz NOT NULL DEFAULT now(),
    sent_at              timestamptz,
    CONSTRAINT outbox_event_chat_kind_key UNIQUE (event_id, chat_id, kind)
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending';
