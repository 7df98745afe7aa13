//! `/api/v1`: the JSON API, documented by the OpenAPI document it is built with.

pub mod account;
pub mod catalog;
pub mod customs;
pub mod fulfilment;
pub mod inventory;
pub mod landed;
pub mod orders;
pub mod payments;
pub mod pricing;
pub mod reference;
pub mod returns;
pub mod tokens;
pub mod views;
pub mod webhooks;

use axum::middleware;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::problem::{FieldProblem, Problem};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Chuhai API",
        description = "Cross-border commerce for exporters: catalog, markets, landed cost, customs, warehouses and orders. \
Errors are RFC 9457 problem documents with a stable `code`. Money is `{\"amount\": \"70.00\", \"currency\": \"AUD\"}`. \
Listings use cursor pagination; creating POSTs accept an `Idempotency-Key`.",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(Problem, FieldProblem)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "API tokens"),
        (name = "account", description = "You, your organisation and its users"),
        (name = "platform", description = "Platform administration"),
        (name = "reference", description = "HS nomenclature and exchange rates"),
        (name = "catalog", description = "Products, variants, Shopify CSV import and export"),
        (name = "pricing", description = "Markets, derived prices and price quotes"),
        (name = "landed-cost", description = "Duties, taxes and fees to the destination: rules, tariff lines and quotes"),
        (name = "customs", description = "China export customs (9610/9710/9810, CEB messages, summary declaration) and trade documents"),
        (name = "inventory", description = "Warehouses, stock across warehouses, the inventory ledger, reservations, inbound shipments (ASNs), cycle counts, inventory age and storage fees"),
        (name = "fulfilment", description = "Shipping setups and rate cards of warehouses, shipments of orders, waves with pick lists, packing, shipping with tracking, carrier tracking events and re-routing"),
        (name = "returns", description = "Returns (RMA) of delivered orders to overseas warehouses, inspection and restocking, refunds under the seller's returns policy"),
        (name = "payments", description = "Card payments of orders, the card provider's signed webhooks and refunds"),
        (name = "webhooks", description = "Webhooks out: subscriptions of URLs to events, signed deliveries with retries"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The routes and the OpenAPI document describing exactly them, built
/// from one list so that neither can name a route the other lacks.
fn parts() -> (
    axum::Router<AppState>,
    axum::Router<AppState>,
    utoipa::openapi::OpenApi,
) {
    let (api, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(tokens::create_token, tokens::list_tokens))
        .routes(routes!(tokens::get_token, tokens::revoke_token))
        .routes(routes!(account::me))
        .routes(routes!(account::signup))
        .routes(routes!(account::get_organisation))
        .routes(routes!(account::list_users, account::add_user))
        .routes(routes!(account::get_user))
        .routes(routes!(account::list_organisations))
        .routes(routes!(reference::search_hs))
        .routes(routes!(reference::get_hs))
        .routes(routes!(catalog::list_products, catalog::create_product))
        .routes(routes!(catalog::get_product))
        .routes(routes!(catalog::import_products))
        .routes(routes!(catalog::export_products))
        .routes(routes!(catalog::list_markets, catalog::create_market))
        .routes(routes!(catalog::variant_price))
        .routes(routes!(
            webhooks::create_subscription,
            webhooks::list_subscriptions
        ))
        .routes(routes!(webhooks::delete_subscription))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(catalog::derive_prices))
        .routes(routes!(catalog::fx_conversion))
        .routes(routes!(catalog::google_feed))
        .routes(routes!(catalog::get_job))
        .routes(routes!(
            pricing::create_price_list,
            pricing::list_price_lists
        ))
        .routes(routes!(pricing::set_variant_pricing))
        .routes(routes!(pricing::set_order_rules))
        .routes(routes!(customs::create_shipment, customs::list_shipments))
        .routes(routes!(customs::get_shipment))
        .routes(routes!(customs::shipment_message))
        .routes(routes!(customs::shipment_document))
        .routes(routes!(customs::summary))
        .routes(routes!(landed::create_quote))
        .routes(routes!(landed::net_price))
        .routes(routes!(landed::list_rules, landed::put_rules))
        .routes(routes!(
            landed::list_tariff_lines,
            landed::import_tariff_lines
        ))
        .routes(routes!(
            inventory::list_warehouses,
            inventory::create_warehouse
        ))
        .routes(routes!(inventory::get_warehouse))
        .routes(routes!(inventory::add_seller))
        .routes(routes!(inventory::add_bins))
        .routes(routes!(inventory::warehouse_stock))
        .routes(routes!(inventory::warehouse_ledger))
        .routes(routes!(inventory::post_entry))
        .routes(routes!(inventory::seller_stock))
        .routes(routes!(inventory::create_reservation))
        .routes(routes!(inventory::get_reservation))
        .routes(routes!(inventory::release_reservation))
        .routes(routes!(inventory::commit_reservation))
        .routes(routes!(inventory::list_inbound, inventory::create_inbound))
        .routes(routes!(inventory::get_inbound))
        .routes(routes!(inventory::ship_inbound))
        .routes(routes!(inventory::arrive_inbound))
        .routes(routes!(inventory::receive_inbound))
        .routes(routes!(inventory::close_inbound))
        .routes(routes!(inventory::create_count))
        .routes(routes!(inventory::get_count))
        .routes(routes!(inventory::post_count))
        .routes(routes!(inventory::warehouse_age))
        .routes(routes!(inventory::get_fee_rules, inventory::set_fee_rules))
        .routes(routes!(
            inventory::list_fee_versions,
            inventory::add_fee_version
        ))
        .routes(routes!(inventory::storage_invoice))
        .routes(routes!(inventory::slow_movers))
        .routes(routes!(orders::create_cart))
        .routes(routes!(orders::get_cart))
        .routes(routes!(orders::set_cart_line))
        .routes(routes!(orders::set_cart_address))
        .routes(routes!(orders::checkout))
        .routes(routes!(orders::list_orders))
        .routes(routes!(orders::get_order))
        .routes(routes!(orders::confirm_bank_transfer))
        .routes(routes!(orders::cancel_order))
        .routes(routes!(payments::create_payment, payments::list_payments))
        .routes(routes!(payments::create_refund))
        .routes(routes!(payments::card_webhook))
        .routes(routes!(orders::order_shipments))
        .routes(routes!(orders::order_routing))
        .routes(routes!(fulfilment::get_shipping, fulfilment::put_shipping))
        .routes(routes!(fulfilment::warehouse_shipments))
        .routes(routes!(fulfilment::create_wave, fulfilment::list_waves))
        .routes(routes!(fulfilment::get_wave))
        .routes(routes!(fulfilment::get_shipment))
        .routes(routes!(fulfilment::pack))
        .routes(routes!(fulfilment::ship))
        .routes(routes!(fulfilment::track))
        .routes(routes!(fulfilment::cannot_fulfil))
        .routes(routes!(returns::create_return, returns::order_returns))
        .routes(routes!(returns::list_returns))
        .routes(routes!(returns::get_return))
        .routes(routes!(returns::authorise_return))
        .routes(routes!(returns::reject_return))
        .routes(routes!(returns::close_return))
        .routes(routes!(returns::receive_return))
        .routes(routes!(returns::inspect_return))
        .routes(routes!(returns::refund_return))
        .routes(routes!(returns::get_policy, returns::put_policy))
        .split_for_parts();
    let (ops, ops_doc) = OpenApiRouter::new()
        .routes(routes!(crate::ops::healthz))
        .routes(routes!(crate::ops::readyz))
        .routes(routes!(crate::metrics::metrics_endpoint))
        .split_for_parts();
    doc.merge(ops_doc);
    (api, ops, doc)
}

/// The API and operations routes, with `Idempotency-Key` handling on the API.
pub fn router(state: AppState) -> axum::Router<AppState> {
    let (api, ops, _) = parts();
    api.layer(middleware::from_fn_with_state(
        state,
        crate::idempotency::idempotent,
    ))
    .merge(ops)
}

/// The OpenAPI 3.1 document of the API and operations routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().2
}
