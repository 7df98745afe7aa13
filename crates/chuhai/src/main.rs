//! `chuhai`: serve the platform, migrate its database, print its OpenAPI.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bench;
mod cli;
mod commands;
mod demo;

use std::net::SocketAddr;

use anyhow::{Context, Result};
use chuhai_store::{Store, StoreConfig};
use chuhai_web::WebSettings;
use clap::Parser;

use cli::{Cli, Command, DatabaseArgs, LogFormat};

fn main() -> Result<()> {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run(cli))
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args, cli.log_format).await,
        Command::Migrate(db) => {
            let store = open_store(&db, false).await?;
            let ran = store.migrate().await?;
            println!(
                "database at schema version {} ({ran} migration(s) applied)",
                store.schema_version().await?
            );
            Ok(())
        }
        Command::Import(cmd) => commands::import(cmd).await,
        Command::Export(cmd) => commands::export(cmd).await,
        Command::Prices(cmd) => commands::prices(cmd).await,
        Command::Inventory(cmd) => commands::inventory(cmd).await,
        Command::Bench(cli::BenchCommand::Catalog {
            rows,
            markets,
            database_url,
        }) => bench::catalog(rows, markets, database_url).await,
        Command::Bench(cli::BenchCommand::Inventory {
            part,
            clients,
            seconds,
            skus,
            warehouses,
            queries,
            ledger_entries,
            database_url,
        }) => {
            bench::inventory(bench::InventoryBench {
                database_url,
                part,
                clients,
                seconds,
                skus,
                warehouses,
                queries,
                ledger_entries,
            })
            .await
        }
        Command::Bench(cli::BenchCommand::Checkout {
            url,
            email,
            password,
            clients,
            seconds,
            market,
            lines,
            stock,
            webhook_secret,
        }) => {
            bench::checkout::checkout(bench::checkout::CheckoutBench {
                url,
                email,
                password,
                clients,
                seconds,
                market,
                lines: bench::checkout::parse_lines(&lines)?,
                stock,
                webhook_secret,
            })
            .await
        }
        Command::Openapi => {
            println!("{}", chuhai_web::api::openapi().to_pretty_json()?);
            Ok(())
        }
    }
}

pub(crate) async fn open_store(db: &DatabaseArgs, migrate: bool) -> Result<Store> {
    let url = match &db.database_url {
        Some(url) => url.clone(),
        None => {
            std::fs::create_dir_all(&db.data_dir).with_context(|| {
                format!("creating the data directory {}", db.data_dir.display())
            })?;
            let path = db.data_dir.join("chuhai.db");
            format!("sqlite://{}", path.display())
        }
    };
    let mut config = StoreConfig::new(url);
    config.max_connections = db.db_max_connections.max(1);
    let store = if migrate {
        Store::open(config).await
    } else {
        Store::connect(config).await
    }
    .context("opening the database")?;
    Ok(store)
}

async fn serve(args: cli::ServeArgs, log_format: LogFormat) -> Result<()> {
    let store = open_store(&args.db, true).await?;
    // Destination import rules are reference facts every install needs.
    chuhai_web::services::landed::seed_rules_if_empty(&store, chuhai_web::time::now_millis())
        .await
        .map_err(|p| anyhow::anyhow!("destination rules: {}", p.detail))?;
    let demo_login = if args.no_demo {
        None
    } else {
        demo::seed_if_empty(&store).await?;
        // The demo login is shown on the sign-in page only while it works.
        store
            .organisation_by_slug(demo::SELLER_SLUG)
            .await?
            .map(|_| (demo::OWNER_EMAIL.to_owned(), demo::PASSWORD.to_owned()))
    };
    let addr: SocketAddr = args.addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let local = listener.local_addr()?;
    let settings = WebSettings {
        cookie_secure: args.cookie_secure.unwrap_or(!addr.ip().is_loopback()),
        demo_login: demo_login.clone(),
        card_webhook_secret: std::env::var(chuhai_web::services::payments::WEBHOOK_SECRET_ENV).ok(),
    };
    let app = chuhai_web::app(store.clone(), settings);
    // Background jobs (large imports) run in every server; the database
    // hands each job to one of them.
    let worker = tokio::spawn(chuhai_web::services::jobs::worker(store.clone()));
    // Lapsed checkout reservations are released by every server.
    let sweeper = tokio::spawn(chuhai_web::services::inventory::sweeper(store.clone()));
    // Webhooks out: every server delivers; the store hands each delivery
    // to one of them.
    let webhooks = tokio::spawn(chuhai_web::services::webhooks::worker(store.clone()));
    let console = format!("http://{local}/console");
    match &demo_login {
        Some((email, password)) => tracing::info!(url = %console, backend = ?store.backend(),
            demo_login = %format!("{email} / {password}"), "Chuhai is serving"),
        None => tracing::info!(url = %console, backend = ?store.backend(), "Chuhai is serving"),
    }
    // Plain lines for a person at a terminal; JSON logs stay pure JSON.
    if matches!(log_format, LogFormat::Text) {
        println!("Chuhai console: {console}   API docs: http://{local}/api/docs");
        if let Some((email, password)) = &demo_login {
            println!("Demo login: {email} / {password}");
        }
    }
    chuhai_web::serve(listener, app, shutdown_signal()).await?;
    // A job cut short rolls back; its lease lets a server take it over.
    worker.abort();
    sweeper.abort();
    webhooks.abort();
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM; requests in flight then finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
