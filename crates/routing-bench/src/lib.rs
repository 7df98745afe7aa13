//! Routing quality benchmark: seeded instances ([`generator`]), the exact
//! MIP optimum with the pure-Rust microlp solver ([`optimum`]), and the
//! heuristic's figures over a batch ([`run`]).

pub mod generator;
pub mod optimum;
pub mod run;
