//! tasker-cli: argument parsing, commands and output formatting of the `tasker-cli` binary.

pub mod args;
pub mod commands;
pub mod output;
