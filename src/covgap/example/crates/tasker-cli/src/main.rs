//! `tasker-cli`: submit tasks, inspect them and replay step results from the command line.

use std::env;
use std::process::ExitCode;

use tasker_cli::args::{self, USAGE};
use tasker_cli::commands;

fn main() -> ExitCode {
    let argv: Vec<String> = env::args().skip(1).collect();
    let invocation = match args::parse(&argv) {
        Ok(invocation) => invocation,
        Err(err) => {
            eprintln!("{err}\n{USAGE}");
            return ExitCode::from(64);
        }
    };
    match commands::run(&invocation) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            if invocation.verbose {
                eprintln!("tasker-cli: {err:?}");
            } else {
                eprintln!("tasker-cli: {err}");
            }
            ExitCode::from(if err.is_retryable() { 75 } else { 1 })
        }
    }
}
