use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Chuhai (出海): cross-border commerce for exporters.
#[derive(Debug, Parser)]
#[command(name = "chuhai", version, about)]
pub struct Cli {
    /// Log as human-readable text or as one JSON object per line.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "CHUHAI_LOG_FORMAT")]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the console, the API and the operations endpoints.
    ///
    /// Example: chuhai serve --addr 127.0.0.1:8080 --data-dir ./chuhai-data
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    ///
    /// Example: chuhai migrate --database-url postgres://postgres@127.0.0.1:5432/chuhai
    Migrate(DatabaseArgs),
    /// Import reference data or a seller's products.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export a seller's products.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Derive market prices.
    #[command(subcommand)]
    Prices(PricesCommand),
    /// Check the stock caches against the inventory ledger, or rebuild them from it.
    #[command(subcommand)]
    Inventory(InventoryCommand),
    /// Run a benchmark and print its figures.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Print the OpenAPI 3.1 document of the API.
    ///
    /// Example: chuhai openapi > openapi.json
    Openapi,
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Folder for the embedded SQLite database (used when no URL is given).
    #[arg(long, env = "CHUHAI_DATA_DIR", default_value = "./chuhai-data")]
    pub data_dir: PathBuf,
    /// Database URL: sqlite://PATH or postgres://USER@HOST:PORT/DB.
    #[arg(long, env = "CHUHAI_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Connections in the database pool (reads; on PostgreSQL also writes).
    #[arg(long, env = "CHUHAI_DB_MAX_CONNECTIONS", default_value_t = 8)]
    pub db_max_connections: u32,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CHUHAI_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Do not seed the demo organisation into an empty database.
    #[arg(long, env = "CHUHAI_NO_DEMO")]
    pub no_demo: bool,
    /// Mark cookies Secure (default: on unless listening on a loopback address).
    #[arg(long, env = "CHUHAI_COOKIE_SECURE")]
    pub cookie_secure: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Load the HS nomenclature (CSV: section,hscode,description,parent,level), replacing the loaded one.
    ///
    /// Example: chuhai import hs hs2022-nomenclature.csv
    Hs {
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Load ECB euro reference rates: the historical CSV (eurofxref-hist.csv) or the daily XML.
    ///
    /// Example: chuhai import fx eurofxref-hist.csv
    Fx {
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Load national tariff lines (CSV: region,tariff_code,description,ad_valorem_percent,specific_amount,
    /// specific_per,specific_currency,minimum,maximum,tax_rate_percent,preferential). Lines with the same
    /// region and code are replaced; any error loads nothing.
    ///
    /// Example: chuhai import tariffs eu-lines.csv
    Tariffs {
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Add destination import rule versions from a JSON array (as `chuhai export rules` writes them).
    /// A rule change is a new version with its start date; overlapping versions are refused.
    ///
    /// Example: chuhai import rules uk-2029.json
    Rules {
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Import products from a Shopify product CSV. Any error saves nothing unless --partial.
    ///
    /// Example: chuhai import products --format shopify --seller lumi products.csv
    Products {
        /// The file's format; only `shopify` for now.
        #[arg(long, default_value = "shopify")]
        format: String,
        /// The seller's slug, e.g. `lumi`.
        #[arg(long)]
        seller: String,
        /// Currency of the prices in the file (base prices), e.g. CNY.
        #[arg(long, default_value = "CNY")]
        currency: String,
        /// Save the products without errors and report the rest.
        #[arg(long)]
        partial: bool,
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write a seller's products as a Shopify product CSV to standard output or --output.
    ///
    /// Example: chuhai export products --format shopify --seller lumi > products.csv
    Products {
        #[arg(long, default_value = "shopify")]
        format: String,
        #[arg(long)]
        seller: String,
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Write the tariff lines as CSV (the format `chuhai import tariffs` reads).
    ///
    /// Example: chuhai export tariffs --region EU > eu-lines.csv
    Tariffs {
        /// A region code (EU, GB, US…); all regions when absent.
        #[arg(long)]
        region: Option<String>,
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Write every destination import rule version as a JSON array.
    ///
    /// Example: chuhai export rules > rules.json
    Rules {
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Write a Google Merchant Center product feed (TSV) of one market's prices.
    ///
    /// Example: chuhai export feed --seller lumi --market us --storefront-url https://shop.example.com > us.tsv
    Feed {
        #[arg(long)]
        seller: String,
        /// The market's code, e.g. `us`.
        #[arg(long)]
        market: String,
        /// The storefront's origin for product links.
        #[arg(long)]
        storefront_url: String,
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum PricesCommand {
    /// Derive every variant's price in every market of a seller and store them.
    ///
    /// Example: chuhai prices derive --seller lumi --date 2026-10-30
    Derive {
        #[arg(long)]
        seller: String,
        /// The date whose exchange rates to use (default: today, UTC).
        #[arg(long)]
        date: Option<String>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum InventoryCommand {
    /// Recompute every balance (on hand, reserved, in transit, damaged) and
    /// bin stock from the append-only ledger, compare them with the cached
    /// values and print each difference. Exits with status 1 when there is
    /// any difference, 0 when the caches agree with the ledger.
    ///
    /// Example: chuhai inventory verify --database-url postgres://chuhai@db.internal:5432/chuhai
    Verify {
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Replace every cached balance and bin stock with what the ledger
    /// gives, in one transaction (writers wait meanwhile). Prints what
    /// `verify` found first.
    ///
    /// Example: chuhai inventory rebuild --data-dir ./chuhai-data
    Rebuild {
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Import a synthetic Shopify CSV into a fresh seller, then derive and store every price.
    ///
    /// Example: chuhai bench catalog --rows 100000 --markets 20
    Catalog {
        /// Data rows in the synthetic CSV (about one variant per row).
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        #[arg(long, default_value_t = 20)]
        markets: usize,
        /// Database to run on (default: a temporary SQLite file).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Inventory: reservations/s on one hot SKU and on many SKUs with concurrent
    /// clients (checking that nothing is oversold), the stock of one SKU across
    /// many warehouses (p50/p99), and rebuilding the caches from a large ledger.
    ///
    /// Example: chuhai bench inventory --clients 64 --seconds 10 --database-url postgres://postgres@127.0.0.1:5432/bench
    Inventory {
        /// Which part to run.
        #[arg(long, value_enum, default_value = "all")]
        part: crate::bench::InventoryPart,
        /// Concurrent clients placing reservations.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Seconds each reservation run lasts.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// SKUs of the spread reservation run.
        #[arg(long, default_value_t = 10_000)]
        skus: usize,
        /// Warehouses holding the SKU of the stock query.
        #[arg(long, default_value_t = 2_000)]
        warehouses: usize,
        /// Stock queries timed.
        #[arg(long, default_value_t = 2_000)]
        queries: usize,
        /// Ledger entries to rebuild the caches from.
        #[arg(long, default_value_t = 10_000_000)]
        ledger_entries: usize,
        /// Database to run on (default: a temporary SQLite file; a
        /// postgres:// URL runs in a fresh schema that is dropped after).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Completed checkouts per second against a running server over HTTP:
    /// each client creates a cart (lines, address, landed cost), checks it
    /// out, creates a card payment intent and sends the card provider's
    /// signed `payment_intent.succeeded` webhook, until time is up. Then
    /// checks that every completed checkout is a paid order and that the
    /// units held grew by the paid orders' units.
    ///
    /// Example: CHUHAI_CARD_WEBHOOK_SECRET=whsec_x chuhai bench checkout --url http://127.0.0.1:8080 --clients 64 --seconds 10
    Checkout {
        /// The server's origin.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
        /// The seller's user to sign in as.
        #[arg(long, default_value = "demo@chuhai.test")]
        email: String,
        #[arg(long, default_value = "chuhai-demo")]
        password: String,
        /// Concurrent clients, each doing one checkout after another.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Seconds of load; a client finishes the checkout it started.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// The market's code. In the demo, Japan's carts of these lines
        /// route to the seller's own Shenzhen warehouse (its first), where
        /// `--stock` is received.
        #[arg(long, default_value = "jp")]
        market: String,
        /// Every cart's lines, SKU:UNITS separated by commas.
        #[arg(long, default_value = "LUMI-AUR-WHT:1,LUMI-HALO-E27:2")]
        lines: String,
        /// Units of each SKU received at the seller's first warehouse
        /// before the run (0: none).
        #[arg(long, default_value_t = 0)]
        stock: i64,
        /// The card provider's webhook secret the server was started with.
        #[arg(long, env = "CHUHAI_CARD_WEBHOOK_SECRET", hide_env_values = true)]
        webhook_secret: String,
    },
}
