//! ztc — a compiler for zero-trust, PCI-DSS AWS infrastructure.
//!
//! `compile` takes spec text and returns diagnostics and, when there is no blocking error, the
//! lowered module. No I/O happens below this crate's `cli` module.

pub mod cli;
pub mod compile;
pub mod diag;
pub mod emit;
pub mod evidence;
pub mod explain;
pub mod graph;
pub mod init;
pub mod ir;
pub mod lower;
pub mod naming;
pub mod policy;
pub mod report;
pub mod source;
pub mod spec;
pub mod validate;
pub mod yaml;
