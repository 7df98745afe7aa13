-- Reference data (platform-wide), catalog, markets, price lists and derived
-- prices. Money is an integer count of minor units next to its ISO 4217
-- code; exact decimals (rates, markups) are text; dates are days since
-- 1970-01-01; times are Unix epoch milliseconds.

CREATE TABLE hs_codes (
    code         TEXT    PRIMARY KEY,
    level        INTEGER NOT NULL,
    parent       TEXT,
    section      TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    -- The description lower-cased in Rust (full Unicode), for word search.
    search_text  TEXT    NOT NULL
);
CREATE INDEX hs_codes_by_parent ON hs_codes (parent);

CREATE TABLE fx_rates (
    source       TEXT    NOT NULL,
    currency     TEXT    NOT NULL,
    rate_date    INTEGER NOT NULL,
    per_eur      TEXT    NOT NULL,
    PRIMARY KEY (source, currency, rate_date)
);

CREATE TABLE products (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    handle           TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('draft', 'active', 'archived')),
    vendor           TEXT    NOT NULL,
    product_type     TEXT    NOT NULL,
    tags             TEXT    NOT NULL,
    option1_name     TEXT,
    option2_name     TEXT,
    option3_name     TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (organisation_id, handle)
);

CREATE TABLE product_translations (
    product_id       INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    locale           TEXT    NOT NULL,
    position         INTEGER NOT NULL,
    title            TEXT    NOT NULL,
    description_html TEXT    NOT NULL,
    seo_title        TEXT,
    seo_description  TEXT,
    PRIMARY KEY (product_id, locale)
);

CREATE TABLE product_media (
    id               INTEGER PRIMARY KEY,
    product_id       INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    position         INTEGER NOT NULL,
    url              TEXT    NOT NULL,
    alt              TEXT
);
CREATE INDEX product_media_by_product ON product_media (product_id, position);

CREATE TABLE variants (
    id                      INTEGER PRIMARY KEY,
    organisation_id         INTEGER NOT NULL REFERENCES organisations (id),
    product_id              INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position                INTEGER NOT NULL,
    sku                     TEXT    NOT NULL,
    option1                 TEXT,
    option2                 TEXT,
    option3                 TEXT,
    gtin                    TEXT,
    image_url               TEXT,
    base_price_minor        INTEGER NOT NULL CHECK (base_price_minor > 0),
    base_currency           TEXT    NOT NULL,
    compare_at_minor        INTEGER,
    grams                   INTEGER,
    net_grams               INTEGER,
    length_mm               INTEGER,
    width_mm                INTEGER,
    height_mm               INTEGER,
    hs_code                 TEXT,
    origin_country          TEXT,
    customs_description_en  TEXT,
    customs_description_zh  TEXT,
    goods_flags             TEXT    NOT NULL,
    moq                     INTEGER NOT NULL DEFAULT 1,
    pack_size               INTEGER NOT NULL DEFAULT 1,
    order_increment         INTEGER NOT NULL DEFAULT 1,
    UNIQUE (organisation_id, sku)
);
CREATE INDEX variants_by_product ON variants (product_id, position);

CREATE TABLE variant_tariff_codes (
    variant_id       INTEGER NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    country          TEXT    NOT NULL,
    tariff_code      TEXT    NOT NULL,
    PRIMARY KEY (variant_id, country)
);

CREATE TABLE markets (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    code             TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    countries        TEXT    NOT NULL,
    currency         TEXT    NOT NULL,
    default_locale   TEXT    NOT NULL,
    locales          TEXT    NOT NULL,
    tax_inclusive    INTEGER NOT NULL,
    incoterm         TEXT    NOT NULL CHECK (incoterm IN ('DDP', 'DAP')),
    markup           TEXT    NOT NULL,
    rounding         TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    UNIQUE (organisation_id, code)
);

-- Scheduled price lists of a market (a sale): from starts_on (inclusive)
-- to ends_before (exclusive); markup and rounding fall back to the market's.
CREATE TABLE price_lists (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    market_id        INTEGER NOT NULL REFERENCES markets (id) ON DELETE CASCADE,
    name             TEXT    NOT NULL,
    markup           TEXT,
    rounding         TEXT,
    starts_on        INTEGER NOT NULL,
    ends_before      INTEGER NOT NULL CHECK (ends_before > starts_on),
    created_at       INTEGER NOT NULL
);
CREATE INDEX price_lists_by_market ON price_lists (market_id);

-- A variant's manual price in a scheduled list.
CREATE TABLE price_list_overrides (
    price_list_id    INTEGER NOT NULL REFERENCES price_lists (id) ON DELETE CASCADE,
    variant_id       INTEGER NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    amount_minor     INTEGER NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (price_list_id, variant_id)
);

-- A variant's manual price and compare-at price in a market's regular list.
CREATE TABLE market_variant_prices (
    market_id        INTEGER NOT NULL REFERENCES markets (id) ON DELETE CASCADE,
    variant_id       INTEGER NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    override_minor   INTEGER CHECK (override_minor > 0),
    compare_at_minor INTEGER CHECK (compare_at_minor > 0),
    PRIMARY KEY (market_id, variant_id)
);

-- Volume discounts: from min_qty units, `discount` (a fraction, e.g. 0.05).
CREATE TABLE price_tiers (
    market_id        INTEGER NOT NULL REFERENCES markets (id) ON DELETE CASCADE,
    variant_id       INTEGER NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    min_qty          INTEGER NOT NULL CHECK (min_qty > 1),
    discount         TEXT    NOT NULL,
    PRIMARY KEY (market_id, variant_id, min_qty)
);

-- One row per (market, base currency) each time prices are derived: the
-- exchange rate, its date and source, the markup and the rounding rule.
CREATE TABLE price_derivations (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    market_id        INTEGER NOT NULL REFERENCES markets (id) ON DELETE CASCADE,
    base_currency    TEXT    NOT NULL,
    currency         TEXT    NOT NULL,
    fx_rate          TEXT    NOT NULL,
    fx_date          INTEGER,
    fx_source        TEXT,
    requested_date   INTEGER NOT NULL,
    markup           TEXT    NOT NULL,
    rounding         TEXT    NOT NULL,
    derived_at       INTEGER NOT NULL
);

CREATE TABLE derived_prices (
    market_id        INTEGER NOT NULL REFERENCES markets (id) ON DELETE CASCADE,
    variant_id       INTEGER NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    -- Derived data, rewritten as a whole: the tenant and derivation are
    -- carried without foreign-key checks, which would cost a lookup each
    -- per row on millions of rows. The store deletes them together.
    organisation_id  INTEGER NOT NULL,
    amount_minor     INTEGER NOT NULL,
    derivation_id    INTEGER NOT NULL,
    PRIMARY KEY (variant_id, market_id)
) WITHOUT ROWID;

CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    kind             TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    done             INTEGER NOT NULL DEFAULT 0,
    total            INTEGER NOT NULL DEFAULT 0,
    input            TEXT    NOT NULL,
    report           TEXT,
    created_at       INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER,
    locked_until     INTEGER
);
CREATE INDEX jobs_by_status ON jobs (status, id);

-- A counter per organisation, bumped by every write that changes how its
-- prices are made (markets, variants, price lists, tiers, rules); row 0
-- is the platform's reference data (exchange rates, HS codes). Servers key
-- their in-memory caches by it, so a write on one server is seen by every
-- other on its next request.
CREATE TABLE data_generations (
    organisation_id  INTEGER PRIMARY KEY,
    generation       INTEGER NOT NULL
);
