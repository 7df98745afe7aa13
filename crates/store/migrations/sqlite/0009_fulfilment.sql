-- Shipping and fulfilment. A warehouse's shipping setup (carrier services,
-- zone charts, rate cards) is one JSON document its operator replaces as a
-- whole. Every routing decision of an order is kept with its explanation;
-- the decision's packages become shipments, each holding its lines' stock
-- holds, released to the floor in waves and shipped with a tracking
-- number. Shipment and routing history is append-only. Times are Unix
-- epoch milliseconds.

CREATE TABLE warehouse_shipping (
    warehouse_id  INTEGER PRIMARY KEY REFERENCES warehouses (id),
    currency      TEXT    NOT NULL,
    -- JSON: services, zone charts, market, rates.
    setup         TEXT    NOT NULL,
    updated_at    INTEGER NOT NULL,
    updated_by    INTEGER
);

-- Every routing decision of an order: at checkout, then each re-route.
CREATE TABLE order_routings (
    id          INTEGER PRIMARY KEY,
    order_id    INTEGER NOT NULL REFERENCES orders (id),
    reason      TEXT    NOT NULL CHECK (reason IN ('checkout', 'reroute')),
    -- JSON: the decision with its explanation, and what it excluded.
    decision    TEXT    NOT NULL,
    exclusions  TEXT    NOT NULL,
    user_id     INTEGER,
    at          INTEGER NOT NULL
);
CREATE INDEX order_routings_by_order ON order_routings (order_id, id);

CREATE TABLE waves (
    id            INTEGER PRIMARY KEY,
    warehouse_id  INTEGER NOT NULL REFERENCES warehouses (id),
    -- Shipments allocated up to this instant were considered.
    cutoff_at     INTEGER NOT NULL,
    -- JSON: the pick list rows and the shipments left out short.
    pick_list     TEXT    NOT NULL,
    user_id       INTEGER,
    created_at    INTEGER NOT NULL
);
CREATE INDEX waves_by_warehouse ON waves (warehouse_id, id);

CREATE TABLE shipments (
    id               INTEGER PRIMARY KEY,
    seller_id        INTEGER NOT NULL REFERENCES organisations (id),
    order_id         INTEGER NOT NULL REFERENCES orders (id),
    routing_id       INTEGER NOT NULL REFERENCES order_routings (id),
    warehouse_id     INTEGER NOT NULL REFERENCES warehouses (id),
    status           TEXT    NOT NULL CHECK (status IN
                        ('pending', 'picking', 'packed', 'shipped', 'delivered', 'cancelled')),
    service          TEXT    NOT NULL,
    service_name     TEXT    NOT NULL,
    carrier          TEXT    NOT NULL,
    zone             TEXT    NOT NULL,
    currency         TEXT    NOT NULL,
    cost_minor       INTEGER NOT NULL,
    transit_min      INTEGER NOT NULL,
    transit_max      INTEGER NOT NULL,
    customs_mode     TEXT,
    -- JSON: [{sku, quantity, hold_id}].
    lines            TEXT    NOT NULL,
    -- JSON: [{sku, bin, quantity}] decided when the wave is made.
    picks            TEXT,
    wave_id          INTEGER REFERENCES waves (id),
    -- JSON: carton, weight and size when packed.
    parcel           TEXT,
    tracking_number  TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    shipped_at       INTEGER,
    delivered_at     INTEGER
);
CREATE INDEX shipments_by_order ON shipments (order_id, id);
CREATE INDEX shipments_by_warehouse ON shipments (warehouse_id, status, id);

CREATE TABLE shipment_events (
    id           INTEGER PRIMARY KEY,
    shipment_id  INTEGER NOT NULL REFERENCES shipments (id),
    -- wave, pack, ship, deliver, cancel, or track (a carrier's report).
    event        TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    -- JSON: what came with it (parcel, tracking number, carrier's words).
    detail       TEXT,
    user_id      INTEGER,
    at           INTEGER NOT NULL
);
CREATE INDEX shipment_events_by_shipment ON shipment_events (shipment_id, id);

CREATE TRIGGER shipment_events_no_update BEFORE UPDATE ON shipment_events
BEGIN SELECT RAISE(ABORT, 'shipment_events is append-only'); END;
CREATE TRIGGER shipment_events_no_delete BEFORE DELETE ON shipment_events
BEGIN SELECT RAISE(ABORT, 'shipment_events is append-only'); END;
CREATE TRIGGER order_routings_no_update BEFORE UPDATE ON order_routings
BEGIN SELECT RAISE(ABORT, 'order_routings is append-only'); END;
CREATE TRIGGER order_routings_no_delete BEFORE DELETE ON order_routings
BEGIN SELECT RAISE(ABORT, 'order_routings is append-only'); END;
