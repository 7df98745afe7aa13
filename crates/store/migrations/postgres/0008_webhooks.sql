-- Webhooks out. A seller subscribes URLs to events; every event is written
-- to `webhook_outbox` in the same transaction as the change it reports,
-- with one `webhook_deliveries` row per matching subscription, so no event
-- is lost if the process dies before sending. A worker claims due
-- deliveries, signs and POSTs them, and records each attempt's outcome.
-- Times are Unix epoch milliseconds.

CREATE TABLE webhook_subscriptions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id   BIGINT NOT NULL REFERENCES organisations (id),
    url         TEXT    NOT NULL,
    -- JSON array of event names, e.g. ["order.created","order.paid"].
    events      TEXT    NOT NULL,
    -- The HMAC-SHA256 signing secret (shown to the seller once).
    secret      TEXT    NOT NULL,
    created_at  BIGINT NOT NULL,
    -- 1 once deleted: kept so that recorded deliveries still name it.
    disabled    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webhook_subscriptions_by_seller ON webhook_subscriptions (seller_id, id);

-- The event's id on the wire (Chuhai-Event-Id) is `evt_<id>`.
CREATE TABLE webhook_outbox (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id   BIGINT NOT NULL REFERENCES organisations (id),
    kind        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX webhook_outbox_by_seller ON webhook_outbox (seller_id, id);

CREATE TABLE webhook_deliveries (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id        BIGINT NOT NULL REFERENCES organisations (id),
    outbox_id        BIGINT NOT NULL REFERENCES webhook_outbox (id),
    subscription_id  BIGINT NOT NULL REFERENCES webhook_subscriptions (id),
    attempts         BIGINT NOT NULL DEFAULT 0,
    -- When the next attempt is due (or, while one is being sent, when the
    -- sender's claim runs out and another worker may take it).
    next_attempt_at  BIGINT NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    last_attempt_at  BIGINT,
    last_status_code BIGINT,
    last_error       TEXT,
    UNIQUE (outbox_id, subscription_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_by_seller ON webhook_deliveries (seller_id, id);
