-- Reference data (platform-wide), catalog, markets, price lists and derived
-- prices. Money is an integer count of minor units next to its ISO 4217
-- code; exact decimals (rates, markups) are text; dates are days since
-- 1970-01-01; times are Unix epoch milliseconds.

CREATE TABLE hs_codes (
    code         TEXT    PRIMARY KEY,
    level        BIGINT  NOT NULL,
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
    rate_date    BIGINT  NOT NULL,
    per_eur      TEXT    NOT NULL,
    PRIMARY KEY (source, currency, rate_date)
);

CREATE TABLE products (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  BIGINT  NOT NULL REFERENCES organisations (id),
    handle           TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('draft', 'active', 'archived')),
    vendor           TEXT    NOT NULL,
    product_type     TEXT    NOT NULL,
    tags             TEXT    NOT NULL,
    option1_name     TEXT,
    option2_name     TEXT,
    option3_name     TEXT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    UNIQUE (organisation_id, handle)
);

CREATE TABLE product_translations (
    product_id       BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    organisation_id  BIGINT  NOT NULL REFERENCES organisations (id),
    locale           TEXT    NOT NULL,
    position         BIGINT  NOT NULL,
    title            TEXT    NOT NULL,
    description_html TEXT    NOT NULL,
    seo_title        TEXT,
    seo_description  TEXT,
    PRIMARY KEY (product_id, locale)
);

CREATE TABLE product_media (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id       BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    organisation_id  BIGINT  NOT NULL REFERENCES organisations (id),
    position         BIGINT  NOT NULL,
    url              TEXT    NOT NULL,
    alt              TEXT
);
CREATE INDEX product_media_by_product ON product_media (product_id, position);

CREATE TABLE variants (
    id                      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id         BIGINT  NOT NULL REFERENCES organisations (id),
    product_id              BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position                BIGINT  NOT NULL,
    sku                     TEXT    NOT NULL,
    option1                 TEXT,
    option2                 TEXT,
    option3                 TEXT,
    gtin                    TEXT,
    image_url               TEXT,
    base_price_minor        BIGINT  NOT NULL CHECK (base_price_minor > 0),
    base_currency           TEXT    NOT NULL,
    compare_at_minor        BIGINT,
    grams                   BIGINT,
    net_grams               BIGINT,
    length_mm               BIGINT,
    width_mm                BIGINT,
    height_mm               BIGINT,
    hs_code                 TEXT,
    origin_country          TEXT,
    customs_description_en  TEXT,
    customs_description_zh  TEXT,
    goods_flags             TEXT    NOT NULL,
    moq                     BIGINT  NOT NULL DEFAULT 1,
    pack_size               BIGINT  NOT NULL DEFAULT 1,
    order_increment         BIGINT  NOT NULL DEFAULT 1,
    UNIQUE (organisation_id, sku)
);
CREATE INDEX variants_by_product ON variants (product_id, position);

CREATE TABLE variant_tariff_codes (
    variant_id       BIGINT  NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    organisation_id  BIGINT  NOT NULL REFERENCES organisations (id),
    country          TEXT    NOT NULL,
    tariff_code      TEXT    NOT NULL,
    PRIMARY KEY (variant_id, country)
);

CREATE TABLE markets (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  BIGINT  NOT NULL REFERENCES organisations (id),
    code             TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    countries        TEXT    NOT NULL,
    currency         TEXT    NOT NULL,
    default_locale   TEXT    NOT NULL,
    locales          TEXT    NOT NULL,
    tax_inclusive    BIGINT  NOT NULL,
    incoterm         TEXT    NOT NULL CHECK (incoterm IN ('DDP', 'DAP')),
    markup           TEXT    NOT NULL,
    rounding         TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    UNIQUE (organisation_id, code)
);

-- Scheduled price lists of a market (a sale): from starts_on (inclusive)
-- to ends_before (exclusive); markup and rounding fall back to the market's.
CREATE TABLE price_lists (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  BIGINT  NOT NULL REFERENCES organisations (id),
    market_id        BIGINT  NOT NULL REFERENCES markets (id) ON DELETE CASCADE,
    name             TEXT    NOT NULL,
    markup           TEXT,
    rounding         TEXT,
    starts_on        BIGINT  NOT NULL,
    ends_before      BIGINT  NOT NULL CHECK (ends_before > starts_on),
    created_at       BIGINT  NOT NULL
);
CREATE INDEX price_lists_by_market ON price_lists (market_id);

-- A variant's manual price in a scheduled list.
CREATE TABLE price_list_overrides (
    price_list_id    BIGINT  NOT NULL REFERENCES price_lists (id) ON DELETE CASCADE,
    variant_id       BIGINT  NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    organisation_id  BIGINT  NOT NULL REFERENCES organisations (id),
    amount_minor     BIGINT  NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (price_list_id, variant_id)
);

-- A variant's manual price and compare-at price in a market's regular list.
CREATE TABLE market_variant_prices (
    market_id        BIGINT  NOT NULL REFERENCES markets (id) ON DELETE CASCADE,
    variant_id       BIGINT  NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    organisation_id  BIGINT  NOT NULL REFERENCES organisations (id),
    override_minor   BIGINT  CHECK (override_minor > 0),
    compare_at_minor BIGINT  CHECK (compare_at_minor > 0),
    PRIMARY KEY (market_id, variant_id)
);

-- Volume discounts: from min_qty units, `discount` (a fraction, e.g. 0.05).
CREATE TABLE price_tiers (
    market_id        BIGINT  NOT NULL REFERENCES markets (id) ON DELETE CASCADE,
    variant_id       BIGINT  NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    organisation_id  BIGINT  NOT NULL REFERENCES organisations (id),
    min_qty          BIGINT  NOT NULL CHECK (min_qty > 1),
    discount         TEXT    NOT NULL,
    PRIMARY KEY (market_id, variant_id, min_qty)
);

-- One row per (market, base currency) each time prices are derived: the
-- exchange rate, its date and source, the markup and the rounding rule.
CREATE TABLE price_derivations (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  BIGINT  NOT NULL REFERENCES organisations (id),
    market_id        BIGINT  NOT NULL REFERENCES markets (id) ON DELETE CASCADE,
    base_currency    TEXT    NOT NULL,
    currency         TEXT    NOT NULL,
    fx_rate          TEXT    NOT NULL,
    fx_date          BIGINT ,
    fx_source        TEXT,
    requested_date   BIGINT  NOT NULL,
    markup           TEXT    NOT NULL,
    rounding         TEXT    NOT NULL,
    derived_at       BIGINT  NOT NULL
);

CREATE TABLE derived_prices (
    market_id        BIGINT  NOT NULL REFERENCES markets (id) ON DELETE CASCADE,
    variant_id       BIGINT  NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    -- Derived data, rewritten as a whole: the tenant and derivation are
    -- carried without foreign-key checks, which would cost a lookup each
    -- per row on millions of rows. The store deletes them together.
    organisation_id  BIGINT  NOT NULL,
    amount_minor     BIGINT  NOT NULL,
    derivation_id    BIGINT  NOT NULL,
    PRIMARY KEY (variant_id, market_id)
);

CREATE TABLE jobs (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  BIGINT  NOT NULL REFERENCES organisations (id),
    kind             TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    done             BIGINT  NOT NULL DEFAULT 0,
    total            BIGINT  NOT NULL DEFAULT 0,
    input            TEXT    NOT NULL,
    report           TEXT,
    created_at       BIGINT  NOT NULL,
    started_at       BIGINT,
    finished_at      BIGINT,
    locked_until     BIGINT
);
CREATE INDEX jobs_by_status ON jobs (status, id);

-- A counter per organisation, bumped by every write that changes how its
-- prices are made (markets, variants, price lists, tiers, rules); row 0
-- is the platform's reference data (exchange rates, HS codes). Servers key
-- their in-memory caches by it, so a write on one server is seen by every
-- other on its next request.
CREATE TABLE data_generations (
    organisation_id  BIGINT  PRIMARY KEY,
    generation       BIGINT  NOT NULL
);
