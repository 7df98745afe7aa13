-- Warehouses and the inventory ledger. The ledger is append-only (triggers
-- refuse UPDATE and DELETE); balances, bin stock and hold quantities are
-- caches of it that `chuhai inventory rebuild` recomputes. Quantities are
-- whole units; coordinates, capacities and money rules are exact text;
-- dates are days since 1970-01-01; times are Unix epoch milliseconds.

CREATE TABLE warehouses (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The organisation that runs it: a 3PL serving many sellers, or a
    -- seller running its own origin warehouse.
    operator_id        BIGINT  NOT NULL REFERENCES organisations (id),
    kind               TEXT    NOT NULL CHECK (kind IN ('origin', 'overseas')),
    code               TEXT    NOT NULL,
    name               TEXT    NOT NULL,
    country            TEXT    NOT NULL,
    address            TEXT    NOT NULL,
    latitude           TEXT,
    longitude          TEXT,
    time_zone          TEXT    NOT NULL,
    utc_offset_minutes BIGINT  NOT NULL,
    cutoff_time        TEXT    NOT NULL,
    capacity_m2        TEXT,
    capacity_m3        TEXT,
    -- JSON array of carrier service names.
    carrier_services   TEXT    NOT NULL,
    created_at         BIGINT  NOT NULL,
    UNIQUE (operator_id, code)
);

CREATE TABLE warehouse_bins (
    warehouse_id  BIGINT  NOT NULL REFERENCES warehouses (id),
    code          TEXT    NOT NULL,
    PRIMARY KEY (warehouse_id, code)
);

-- The sellers a warehouse serves (its operator always may use it).
CREATE TABLE warehouse_sellers (
    warehouse_id  BIGINT  NOT NULL REFERENCES warehouses (id),
    seller_id     BIGINT  NOT NULL REFERENCES organisations (id),
    since         BIGINT  NOT NULL,
    PRIMARY KEY (warehouse_id, seller_id)
);
CREATE INDEX warehouse_sellers_by_seller ON warehouse_sellers (seller_id, warehouse_id);

CREATE TABLE inventory_ledger (
    id                        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id                 BIGINT  NOT NULL REFERENCES organisations (id),
    sku                       TEXT    NOT NULL,
    warehouse_id              BIGINT  NOT NULL REFERENCES warehouses (id),
    bin                       TEXT,
    lot                       TEXT,
    entry_type                TEXT    NOT NULL CHECK (entry_type IN (
        'in_transit_in', 'in_transit_cancel', 'in_transit_receipt', 'receipt', 'return',
        'transfer_in', 'transfer_out', 'putaway', 'pick', 'reservation', 'release', 'commit',
        'ship', 'adjustment_in', 'adjustment_out', 'count_correction_in',
        'count_correction_out', 'damage', 'disposal')),
    quantity                  BIGINT  NOT NULL CHECK (quantity > 0),
    reference_kind            TEXT    NOT NULL,
    reference_id              TEXT    NOT NULL,
    user_id                   BIGINT ,
    at                        BIGINT  NOT NULL,
    reason_code               TEXT,
    counterpart_warehouse_id  BIGINT 
);
CREATE INDEX inventory_ledger_by_stock ON inventory_ledger (seller_id, warehouse_id, sku, id);
CREATE INDEX inventory_ledger_by_warehouse ON inventory_ledger (warehouse_id, id);

CREATE FUNCTION inventory_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'inventory_ledger is append-only';
END;
$$;
CREATE TRIGGER inventory_ledger_no_update BEFORE UPDATE OR DELETE ON inventory_ledger
FOR EACH ROW EXECUTE FUNCTION inventory_ledger_append_only();
CREATE TRIGGER inventory_ledger_no_truncate BEFORE TRUNCATE ON inventory_ledger
FOR EACH STATEMENT EXECUTE FUNCTION inventory_ledger_append_only();

-- Cache: the buckets of each (seller, SKU, warehouse). The primary key
-- serves stock-by-SKU across every warehouse with one index range.
CREATE TABLE inventory_balances (
    seller_id     BIGINT  NOT NULL,
    sku           TEXT    NOT NULL,
    warehouse_id  BIGINT  NOT NULL,
    on_hand       BIGINT  NOT NULL,
    reserved      BIGINT  NOT NULL,
    in_transit    BIGINT  NOT NULL,
    damaged       BIGINT  NOT NULL,
    CHECK (on_hand >= 0 AND reserved >= 0 AND in_transit >= 0 AND damaged >= 0
           AND on_hand >= reserved),
    PRIMARY KEY (seller_id, sku, warehouse_id)
);
CREATE INDEX inventory_balances_by_warehouse ON inventory_balances (warehouse_id, seller_id, sku);

-- Cache: physical units per bin ('' = unlocated) and lot ('' = none).
CREATE TABLE inventory_bin_stock (
    seller_id     BIGINT  NOT NULL,
    sku           TEXT    NOT NULL,
    warehouse_id  BIGINT  NOT NULL,
    bin           TEXT    NOT NULL,
    lot           TEXT    NOT NULL,
    units         BIGINT  NOT NULL CHECK (units >= 0),
    PRIMARY KEY (seller_id, sku, warehouse_id, bin, lot)
);
CREATE INDEX inventory_bin_stock_by_bin ON inventory_bin_stock (warehouse_id, bin);

-- Reservations: units held for an order or checkout, optionally until a time.
CREATE TABLE inventory_holds (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id       BIGINT  NOT NULL REFERENCES organisations (id),
    sku             TEXT    NOT NULL,
    warehouse_id    BIGINT  NOT NULL REFERENCES warehouses (id),
    reference_kind  TEXT    NOT NULL,
    reference_id    TEXT    NOT NULL,
    -- Units still held.
    quantity        BIGINT  NOT NULL CHECK (quantity >= 0),
    placed_at       BIGINT  NOT NULL,
    expires_at      BIGINT ,
    status          TEXT    NOT NULL CHECK (status IN ('held', 'released', 'committed', 'expired')),
    closed_at       BIGINT 
);
CREATE INDEX inventory_holds_by_seller ON inventory_holds (seller_id, id);
CREATE INDEX inventory_holds_to_sweep ON inventory_holds (expires_at) WHERE status = 'held';

CREATE TABLE inbound_shipments (
    id                        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id                 BIGINT  NOT NULL REFERENCES organisations (id),
    reference                 TEXT    NOT NULL,
    origin_warehouse_id       BIGINT  REFERENCES warehouses (id),
    origin                    TEXT    NOT NULL,
    destination_warehouse_id  BIGINT  NOT NULL REFERENCES warehouses (id),
    mode                      TEXT    NOT NULL CHECK (mode IN ('sea', 'air', 'rail', 'express')),
    carrier                   TEXT    NOT NULL,
    tracking_no               TEXT,
    container_no              TEXT,
    etd                       BIGINT ,
    eta                       BIGINT ,
    status                    TEXT    NOT NULL CHECK (status IN ('draft', 'shipped', 'arrived', 'receiving', 'closed')),
    created_at                BIGINT  NOT NULL,
    shipped_at                BIGINT ,
    arrived_at                BIGINT ,
    closed_at                 BIGINT ,
    -- JSON: the discrepancy report made when it was closed.
    report                    TEXT,
    UNIQUE (seller_id, reference)
);
CREATE INDEX inbound_shipments_by_destination ON inbound_shipments (destination_warehouse_id, status);

CREATE TABLE inbound_cartons (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shipment_id  BIGINT  NOT NULL REFERENCES inbound_shipments (id),
    carton_no    TEXT    NOT NULL,
    received_at  BIGINT ,
    UNIQUE (shipment_id, carton_no)
);

CREATE TABLE inbound_lines (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shipment_id  BIGINT  NOT NULL REFERENCES inbound_shipments (id),
    carton_id    BIGINT  NOT NULL REFERENCES inbound_cartons (id),
    sku          TEXT    NOT NULL,
    expected     BIGINT  NOT NULL CHECK (expected > 0),
    -- NULL until counted.
    received     BIGINT ,
    damaged      BIGINT  NOT NULL DEFAULT 0,
    short_units  BIGINT  NOT NULL DEFAULT 0,
    over_units   BIGINT  NOT NULL DEFAULT 0,
    UNIQUE (carton_id, sku)
);
CREATE INDEX inbound_lines_by_shipment ON inbound_lines (shipment_id, id);

-- Cycle counts: counted, reviewed, then posted (or cancelled).
CREATE TABLE cycle_counts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    warehouse_id  BIGINT  NOT NULL REFERENCES warehouses (id),
    -- JSON: the domain's CycleCount and the CountReview made from it.
    count_body    TEXT    NOT NULL,
    review        TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('review', 'posted', 'cancelled')),
    created_by    BIGINT ,
    created_at    BIGINT  NOT NULL,
    posted_at     BIGINT 
);
CREATE INDEX cycle_counts_by_warehouse ON cycle_counts (warehouse_id, id);

-- Storage fee rules per warehouse: JSON of the domain's StorageFeeRules.
CREATE TABLE storage_fee_rules (
    warehouse_id  BIGINT  PRIMARY KEY REFERENCES warehouses (id),
    rules         TEXT    NOT NULL,
    updated_at    BIGINT  NOT NULL
);

-- An export shipment to an overseas warehouse (customs mode 9810) may be
-- the export side of an inbound shipment.
ALTER TABLE export_shipments ADD COLUMN inbound_shipment_id BIGINT REFERENCES inbound_shipments (id);
