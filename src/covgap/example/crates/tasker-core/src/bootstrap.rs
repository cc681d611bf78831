//! Bootstrap: wire configuration, cache, event bus and actors into a running orchestrator.

use std::fs;
use std::path::Path;

use crate::actors::ActorRegistry;
use crate::cache::LruCache;
use crate::config::TaskerConfig;
use crate::error::{TaskerError, TaskerResult};
use crate::events::EventBus;
use crate::metrics::Metrics;

/// Everything a running orchestrator owns.
pub struct Orchestrator {
    pub config: TaskerConfig,
    pub templates: LruCache<String>,
    pub events: EventBus,
    pub metrics: Metrics,
    pub actors: ActorRegistry,
}

/// Read the configuration file (if any) and build the orchestrator.
pub fn bootstrap(config_path: Option<&Path>) -> TaskerResult<Orchestrator> {
    let config = match config_path {
        Some(path) => {
            let text = fs::read_to_string(path).map_err(|e| {
                TaskerError::Config(format!("cannot read {}: {e}", path.display()))
            })?;
            TaskerConfig::parse(&text)?
        }
        None => TaskerConfig::default(),
    };
    let templates = LruCache::new(config.queue_capacity.min(256))?;
    let mut actors = ActorRegistry::default();
    actors.register_defaults(&config)?;
    if actors.len() < 3 {
        return Err(TaskerError::Internal(format!("only {} actors registered", actors.len())));
    }
    let mut metrics = Metrics::default();
    metrics.increment("bootstraps");
    Ok(Orchestrator { config, templates, events: EventBus::new(), metrics, actors })
}

/// Stop accepting work and report how many actors were shut down.
pub fn shutdown(orchestrator: &mut Orchestrator) -> usize {
    let stopped = orchestrator.actors.stop_all();
    orchestrator.metrics.increment("shutdowns");
    stopped
}
