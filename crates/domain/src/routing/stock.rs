//! Units available to route, per warehouse and SKU, indexed by SKU so an
//! order looks only at the warehouses that hold its SKUs.

use std::collections::HashMap;

use super::decision::RoutingDecision;
use super::error::{invalid, RoutingError};
use super::network::{RoutingNetwork, WarehouseCode, WarehouseIdx};
use crate::catalog::Sku;

/// Available units (on hand less held) per warehouse and SKU, for one
/// [`RoutingNetwork`]: use it only with the network it was filled against.
#[derive(Debug, Clone, Default)]
pub struct StockLevels {
    by_sku: HashMap<Sku, Vec<(WarehouseIdx, u32)>>,
}

impl StockLevels {
    /// No stock anywhere.
    pub fn new() -> StockLevels {
        StockLevels::default()
    }

    /// Stock from (warehouse, SKU, units) rows in one pass; a later row for
    /// the same warehouse and SKU replaces an earlier one.
    pub fn from_rows<I>(network: &RoutingNetwork, rows: I) -> Result<StockLevels, RoutingError>
    where
        I: IntoIterator<Item = (WarehouseCode, Sku, u32)>,
    {
        let mut by_sku: HashMap<Sku, Vec<(WarehouseIdx, u32)>> = HashMap::new();
        for (warehouse, sku, units) in rows {
            let w = network.warehouse_idx(&warehouse)?;
            by_sku.entry(sku).or_default().push((w, units));
        }
        for holders in by_sku.values_mut() {
            // Stable sort, then keep the last row of each warehouse.
            holders.sort_by_key(|(w, _)| *w);
            let mut kept: Vec<(WarehouseIdx, u32)> = Vec::with_capacity(holders.len());
            for &(w, n) in holders.iter() {
                match kept.last_mut() {
                    Some(last) if last.0 == w => last.1 = n,
                    _ => kept.push((w, n)),
                }
            }
            *holders = kept;
        }
        Ok(StockLevels { by_sku })
    }

    /// Sets the units of `sku` available at `warehouse`.
    pub fn set(
        &mut self,
        network: &RoutingNetwork,
        warehouse: &WarehouseCode,
        sku: &Sku,
        units: u32,
    ) -> Result<(), RoutingError> {
        let w = network.warehouse_idx(warehouse)?;
        let holders = self.by_sku.entry(sku.clone()).or_default();
        match holders.iter_mut().find(|(h, _)| *h == w) {
            Some(slot) => slot.1 = units,
            None => holders.push((w, units)),
        }
        Ok(())
    }

    /// Units of `sku` available at `warehouse` (0 when unknown).
    pub fn available(&self, network: &RoutingNetwork, warehouse: &WarehouseCode, sku: &Sku) -> u32 {
        let Ok(w) = network.warehouse_idx(warehouse) else {
            return 0;
        };
        self.holders(sku)
            .iter()
            .find(|(h, _)| *h == w)
            .map_or(0, |(_, n)| *n)
    }

    /// The warehouses holding `sku` and their units (zero rows included).
    pub fn holding<'a>(
        &'a self,
        network: &'a RoutingNetwork,
        sku: &Sku,
    ) -> impl Iterator<Item = (&'a WarehouseCode, u32)> + 'a {
        self.holders(sku)
            .iter()
            .map(move |&(w, n)| (&network.warehouses[w as usize].code, n))
    }

    pub(crate) fn holders(&self, sku: &Sku) -> &[(WarehouseIdx, u32)] {
        self.by_sku.get(sku).map_or(&[], Vec::as_slice)
    }

    /// Takes the units a decision ships out of the available stock, as a
    /// hold would. Refuses (changing nothing) if any is short.
    pub fn commit(
        &mut self,
        network: &RoutingNetwork,
        decision: &RoutingDecision,
    ) -> Result<(), RoutingError> {
        let mut takes: Vec<(WarehouseIdx, &Sku, u32)> = Vec::new();
        for shipment in &decision.shipments {
            let w = network.warehouse_idx(&shipment.warehouse)?;
            for line in &shipment.lines {
                takes.push((w, &line.sku, line.quantity));
            }
        }
        for &(w, sku, n) in &takes {
            let have = self
                .holders(sku)
                .iter()
                .find(|(h, _)| *h == w)
                .map_or(0, |(_, q)| *q);
            if have < n {
                return Err(invalid(
                    "stock",
                    format!("{sku}: {n} to take, {have} available"),
                ));
            }
        }
        for (w, sku, n) in takes {
            if let Some(slot) = self
                .by_sku
                .get_mut(sku)
                .and_then(|v| v.iter_mut().find(|(h, _)| *h == w))
            {
                slot.1 -= n;
            }
        }
        Ok(())
    }
}
