-- Carts and orders. A cart belongs to a seller and a market; its lines are
-- (variant, quantity), priced when read. An order is written once at
-- checkout with its priced lines and totals (JSON `body`, exact money as
-- minor units); its state changes only through `order_events`. Times are
-- Unix epoch milliseconds.

CREATE TABLE carts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id   BIGINT NOT NULL REFERENCES organisations (id),
    market_id   BIGINT NOT NULL REFERENCES markets (id),
    locale      TEXT    NOT NULL,
    -- JSON: the shipping address, when given.
    address     TEXT,
    status      TEXT    NOT NULL CHECK (status IN ('open', 'checked_out')),
    order_id    BIGINT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX carts_by_seller ON carts (seller_id, id);

CREATE TABLE cart_lines (
    cart_id     BIGINT NOT NULL REFERENCES carts (id),
    variant_id  BIGINT NOT NULL REFERENCES variants (id),
    quantity    BIGINT NOT NULL CHECK (quantity > 0),
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (cart_id, variant_id)
);

-- The next order number of each seller: taken in the transaction that
-- writes the order, so numbers have no gaps.
CREATE TABLE order_counters (
    seller_id   BIGINT PRIMARY KEY REFERENCES organisations (id),
    last_seq    BIGINT NOT NULL
);

CREATE TABLE orders (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id    BIGINT NOT NULL REFERENCES organisations (id),
    seq          BIGINT NOT NULL,
    cart_id      BIGINT NOT NULL UNIQUE REFERENCES carts (id),
    market_id    BIGINT NOT NULL REFERENCES markets (id),
    state        TEXT    NOT NULL,
    currency     TEXT    NOT NULL,
    total_minor  BIGINT NOT NULL,
    total_cny_minor BIGINT NOT NULL,
    -- JSON: address, lines, totals, landed-cost breakdown, shipping option.
    body         TEXT    NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (seller_id, seq)
);
CREATE INDEX orders_by_seller ON orders (seller_id, id);

-- The stock holds placed for an order at checkout.
CREATE TABLE order_holds (
    order_id  BIGINT NOT NULL REFERENCES orders (id),
    hold_id   BIGINT NOT NULL REFERENCES inventory_holds (id),
    PRIMARY KEY (order_id, hold_id)
);

-- Every change of an order's state, with who and when (append-only).
CREATE TABLE order_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id    BIGINT NOT NULL REFERENCES orders (id),
    event       TEXT    NOT NULL,
    from_state  TEXT,
    to_state    TEXT    NOT NULL,
    user_id     BIGINT,
    at          BIGINT NOT NULL,
    -- JSON: what came with the event (a payment reference, a reason).
    detail      TEXT
);
CREATE INDEX order_events_by_order ON order_events (order_id, id);

CREATE FUNCTION order_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'order_events is append-only'; END $$;
CREATE TRIGGER order_events_no_change BEFORE UPDATE OR DELETE ON order_events
FOR EACH ROW EXECUTE FUNCTION order_events_append_only();
