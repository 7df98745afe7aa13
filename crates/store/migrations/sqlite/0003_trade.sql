-- Landed cost and China export customs: destination import rules (platform
-- reference data, one row per dated version), national tariff lines, and
-- sellers' export shipments. Rules, tariff lines and shipments are kept as
-- the domain's JSON documents next to the columns that find them; dates are
-- days since 1970-01-01, times Unix epoch milliseconds.

CREATE TABLE import_rules (
    version      TEXT    PRIMARY KEY,
    region       TEXT    NOT NULL,
    valid_from   INTEGER NOT NULL,
    -- Exclusive; NULL = open-ended.
    valid_until  INTEGER,
    verified     INTEGER NOT NULL CHECK (verified IN (0, 1)),
    body         TEXT    NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX import_rules_by_region ON import_rules (region, valid_from);

CREATE TABLE tariff_lines (
    region       TEXT    NOT NULL,
    tariff_code  TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    PRIMARY KEY (region, tariff_code)
);

CREATE TABLE export_shipments (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    order_no         TEXT    NOT NULL,
    mode             TEXT    NOT NULL CHECK (mode IN ('9610', '9710', '9810')),
    destination      TEXT    NOT NULL,
    -- The day the shipment leaves (its export list's date), for the
    -- monthly summary declaration.
    export_date      INTEGER NOT NULL,
    body             TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    UNIQUE (organisation_id, order_no)
);
CREATE INDEX export_shipments_by_month ON export_shipments (organisation_id, export_date);
