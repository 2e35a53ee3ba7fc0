//! The rule registry. Each rule lives in its own file.
use super::Rule;

pub static ALL: &[&dyn Rule] = &[];
