-- Returns (RMA) of delivered orders and each seller's returns policy.
-- A return names the order, why (`reason`), the overseas warehouse the
-- goods go back to, its lines (SKU and units) and the refund worked out
-- when it was asked for under the policy then in force (`policy`, JSON,
-- kept with it). Its status changes only with a row in `return_events`
-- (append-only). After inspection, `return_dispositions` says what became
-- of each unit (restock, relabel, dispose). Money is in minor units of the
-- order currency; times are Unix epoch milliseconds.

CREATE TABLE returns_policies (
    seller_id                BIGINT PRIMARY KEY REFERENCES organisations (id),
    return_window_days       BIGINT  NOT NULL CHECK (return_window_days BETWEEN 1 AND 365),
    restocking_fee_bp        BIGINT  NOT NULL CHECK (restocking_fee_bp BETWEEN 0 AND 5000),
    -- 1: returns the buyer chose get the original shipping back.
    refund_original_shipping BIGINT  NOT NULL CHECK (refund_original_shipping IN (0, 1)),
    refund_timing            TEXT    NOT NULL CHECK (refund_timing IN ('on_receipt', 'after_inspection')),
    updated_at               BIGINT  NOT NULL
);

CREATE TABLE returns (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id             BIGINT  NOT NULL REFERENCES organisations (id),
    order_id              BIGINT  NOT NULL REFERENCES orders (id),
    status                TEXT    NOT NULL CHECK (status IN ('requested', 'authorised', 'rejected',
                                  'received', 'inspected', 'refunded', 'closed')),
    -- 1 once every unit was inspected.
    inspected             BIGINT  NOT NULL DEFAULT 0 CHECK (inspected IN (0, 1)),
    reason                TEXT    NOT NULL,
    note                  TEXT,
    warehouse_id          BIGINT  NOT NULL REFERENCES warehouses (id),
    policy                TEXT    NOT NULL,
    currency              TEXT    NOT NULL,
    goods_minor           BIGINT  NOT NULL CHECK (goods_minor >= 0),
    import_charges_minor  BIGINT  NOT NULL CHECK (import_charges_minor >= 0),
    shipping_minor        BIGINT  NOT NULL CHECK (shipping_minor >= 0),
    restocking_fee_minor  BIGINT  NOT NULL CHECK (restocking_fee_minor >= 0),
    refund_minor          BIGINT  NOT NULL CHECK (refund_minor >= 0),
    -- The payment refunded, once refunded (none when nothing was owed).
    payment_id            BIGINT  REFERENCES payments (id),
    received_at           BIGINT ,
    refunded_at           BIGINT ,
    created_at            BIGINT  NOT NULL,
    updated_at            BIGINT  NOT NULL
);
CREATE INDEX returns_by_seller ON returns (seller_id, id);
CREATE INDEX returns_by_order ON returns (order_id, id);
CREATE INDEX returns_by_warehouse ON returns (warehouse_id, id);

CREATE TABLE return_lines (
    return_id   BIGINT  NOT NULL REFERENCES returns (id),
    sku         TEXT    NOT NULL,
    quantity    BIGINT  NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (return_id, sku)
);

CREATE TABLE return_dispositions (
    return_id   BIGINT  NOT NULL REFERENCES returns (id),
    sku         TEXT    NOT NULL,
    disposition TEXT    NOT NULL CHECK (disposition IN ('restock', 'relabel', 'dispose')),
    quantity    BIGINT  NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (return_id, sku, disposition)
);

CREATE TABLE return_events (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    return_id    BIGINT  NOT NULL REFERENCES returns (id),
    event        TEXT    NOT NULL,
    -- None for the event that asked for the return.
    from_status  TEXT,
    to_status    TEXT    NOT NULL,
    user_id      BIGINT ,
    at           BIGINT  NOT NULL,
    detail       TEXT
);
CREATE INDEX return_events_by_return ON return_events (return_id, id);
