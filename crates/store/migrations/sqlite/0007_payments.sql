-- Payments of orders. A payment is one attempt to be paid for an order, by
-- a method (card through the card provider, or bank transfer), with its
-- amounts in minor units of the order currency; amounts never pass each
-- other (refunded <= captured <= authorised <= amount). `payment_events`
-- records every provider event applied, once: its UNIQUE event id turns a
-- replayed webhook into a no-op. Times are Unix epoch milliseconds.

CREATE TABLE payments (
    id                 INTEGER PRIMARY KEY,
    seller_id          INTEGER NOT NULL REFERENCES organisations (id),
    order_id           INTEGER NOT NULL REFERENCES orders (id),
    method             TEXT    NOT NULL CHECK (method IN ('card', 'bank_transfer')),
    status             TEXT    NOT NULL,
    currency           TEXT    NOT NULL,
    amount_minor       INTEGER NOT NULL CHECK (amount_minor > 0),
    authorised_minor   INTEGER NOT NULL CHECK (authorised_minor BETWEEN 0 AND amount_minor),
    captured_minor     INTEGER NOT NULL CHECK (captured_minor BETWEEN 0 AND authorised_minor),
    refunded_minor     INTEGER NOT NULL CHECK (refunded_minor BETWEEN 0 AND captured_minor),
    -- The provider's id of the intent (`pi_…`), or the bank's reference.
    provider_reference TEXT    NOT NULL UNIQUE,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX payments_by_order ON payments (order_id, id);

CREATE TABLE payment_events (
    id                 INTEGER PRIMARY KEY,
    payment_id         INTEGER NOT NULL REFERENCES payments (id),
    -- The provider's event id (`evt_…`), or ours for refunds asked here.
    provider_event_id  TEXT    NOT NULL UNIQUE,
    kind               TEXT    NOT NULL,
    -- The payment's status after the event.
    status             TEXT    NOT NULL,
    -- The amount the event moved, when it moved one.
    amount_minor       INTEGER,
    at                 INTEGER NOT NULL
);
CREATE INDEX payment_events_by_payment ON payment_events (payment_id, id);
