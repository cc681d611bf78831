//! The commands of `tasker-cli`, run against an in-process orchestrator.

use std::fs;

use tasker_core::actors::{TaskRequest, TaskRequestActor};
use tasker_core::config::TaskerConfig;
use tasker_core::events::EventBus;
use tasker_core::result_processing::{HandlerOutcome, MessageHandler, TaskCoordinator};
use tasker_core::TaskerError;

use crate::args::{Command, Invocation};
use crate::output::render;

/// Run a parsed invocation; returns the text to print.
pub fn run(invocation: &Invocation) -> Result<String, TaskerError> {
    let rows = match &invocation.command {
        Command::Submit { namespace, name, steps } => submit(namespace, name, steps)?,
        Command::Status { task } => vec![("task".into(), task.to_string()), ("state".into(), "unknown".into())],
        Command::Cancel { task, reason } => vec![
            ("task".into(), task.to_string()),
            ("cancelled".into(), "true".into()),
            ("reason".into(), reason.clone().unwrap_or_else(|| "none given".into())),
        ],
        Command::Results { file } => replay_results(file)?,
        Command::Config { path } => show_config(path.as_deref())?,
        Command::Help => return Ok(crate::args::USAGE.to_string()),
    };
    Ok(render(&rows, invocation.format))
}

fn submit(namespace: &str, name: &str, steps: &[String]) -> Result<Vec<(String, String)>, TaskerError> {
    let mut chain: Vec<(String, Vec<String>)> = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let deps = if i == 0 { vec![] } else { vec![steps[i - 1].clone()] };
        chain.push((step.clone(), deps));
    }
    let request = TaskRequest {
        namespace: namespace.to_string(),
        name: name.to_string(),
        version: "1.0.0".to_string(),
        steps: chain,
        idempotency_key: None,
    };
    let mut actor = TaskRequestActor::new(1);
    let id = actor.handle(&request)?;
    Ok(vec![("task".into(), id.to_string()), ("steps".into(), steps.len().to_string())])
}

fn replay_results(file: &str) -> Result<Vec<(String, String)>, TaskerError> {
    let text = fs::read_to_string(file).map_err(|e| TaskerError::NotFound(format!("{file}: {e}")))?;
    let coordinator = TaskCoordinator::new(TaskerConfig::default());
    let mut handler = MessageHandler::new(coordinator, EventBus::new());
    let (outcomes, error) = handler.handle_batch(&text);
    if let Some(err) = error {
        return Err(err);
    }
    let dead = outcomes.iter().filter(|o| matches!(o, HandlerOutcome::DeadLettered { .. })).count();
    Ok(vec![
        ("messages".into(), outcomes.len().to_string()),
        ("dead_lettered".into(), dead.to_string()),
    ])
}

fn show_config(path: Option<&str>) -> Result<Vec<(String, String)>, TaskerError> {
    let config = match path {
        Some(p) => {
            let text = fs::read_to_string(p).map_err(|e| TaskerError::Config(format!("{p}: {e}")))?;
            TaskerConfig::parse(&text)?
        }
        None => TaskerConfig::default(),
    };
    Ok(vec![
        ("environment".into(), config.environment.clone()),
        ("max_concurrent_steps".into(), config.max_concurrent_steps.to_string()),
        ("max_retries".into(), config.max_retries.to_string()),
        ("queue_capacity".into(), config.queue_capacity.to_string()),
    ])
}
