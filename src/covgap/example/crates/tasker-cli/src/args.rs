//! Parse the command line of `tasker-cli` without external crates.

use std::fmt;

/// Output format chosen with `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
}

/// A parsed command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Submit { namespace: String, name: String, steps: Vec<String> },
    Status { task: u64 },
    Cancel { task: u64, reason: Option<String> },
    Results { file: String },
    Config { path: Option<String> },
    Help,
}

/// The whole invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    pub command: Command,
    pub format: Format,
    pub verbose: bool,
}

/// A usage error, printed with the usage text.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "usage error: {}", self.0)
    }
}

pub const USAGE: &str = "usage: tasker-cli [--format table|json] [-v] <submit|status|cancel|results|config|help> ...";

/// Parse `args` (without the program name).
pub fn parse(args: &[String]) -> Result<Invocation, UsageError> {
    let mut format = Format::Table;
    let mut verbose = false;
    let mut rest = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "-v" | "--verbose" => verbose = true,
            "--format" => {
                let value = iter.next().ok_or_else(|| UsageError("--format needs a value".into()))?;
                format = parse_format(value)?;
            }
            other if other.starts_with("--format=") => format = parse_format(&other[9..])?,
            other if other.starts_with('-') && other.len() > 1 => {
                return Err(UsageError(format!("unknown option {other}")))
            }
            _ => rest.push(arg.clone()),
        }
    }
    let command = parse_command(&rest)?;
    Ok(Invocation { command, format, verbose })
}

fn parse_format(value: &str) -> Result<Format, UsageError> {
    match value {
        "table" => Ok(Format::Table),
        "json" => Ok(Format::Json),
        other => Err(UsageError(format!("unknown format {other:?}"))),
    }
}

fn parse_task_id(value: Option<&String>) -> Result<u64, UsageError> {
    let value = value.ok_or_else(|| UsageError("a task id is required".into()))?;
    value.parse().map_err(|_| UsageError(format!("not a task id: {value:?}")))
}

fn parse_command(words: &[String]) -> Result<Command, UsageError> {
    let Some((name, rest)) = words.split_first() else {
        return Ok(Command::Help);
    };
    match name.as_str() {
        "submit" => {
            let target = rest.first().ok_or_else(|| UsageError("submit needs NAMESPACE/NAME".into()))?;
            let (namespace, name) = target
                .split_once('/')
                .ok_or_else(|| UsageError(format!("expected NAMESPACE/NAME, got {target:?}")))?;
            Ok(Command::Submit { namespace: namespace.into(), name: name.into(), steps: rest[1..].to_vec() })
        }
        "status" => Ok(Command::Status { task: parse_task_id(rest.first())? }),
        "cancel" => Ok(Command::Cancel { task: parse_task_id(rest.first())?, reason: rest.get(1).cloned() }),
        "results" => {
            let file = rest.first().ok_or_else(|| UsageError("results needs a FILE".into()))?;
            Ok(Command::Results { file: file.clone() })
        }
        "config" => Ok(Command::Config { path: rest.first().cloned() }),
        "help" => Ok(Command::Help),
        other => Err(UsageError(format!("unknown command {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_submit_with_steps() {
        let inv = parse(&words("submit payments/refund validate charge")).unwrap();
        assert_eq!(
            inv.command,
            Command::Submit {
                namespace: "payments".into(),
                name: "refund".into(),
                steps: words("validate charge")
            }
        );
        assert_eq!(inv.format, Format::Table);
    }

    #[test]
    fn parses_format_option() {
        let inv = parse(&words("--format json status 7")).unwrap();
        assert_eq!(inv.format, Format::Json);
        assert_eq!(inv.command, Command::Status { task: 7 });
    }

    #[test]
    fn rejects_bad_task_ids() {
        assert!(parse(&words("status seven")).is_err());
    }
}
