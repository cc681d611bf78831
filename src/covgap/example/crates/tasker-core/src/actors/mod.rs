//! Actors: long-lived workers of the orchestrator, each owning one kind of message.

mod step_enqueuer_actor;
mod task_finalizer_actor;
mod task_request_actor;

pub use step_enqueuer_actor::StepEnqueuerActor;
pub use task_finalizer_actor::TaskFinalizerActor;
pub use task_request_actor::{TaskRequest, TaskRequestActor};

use crate::config::TaskerConfig;
use crate::error::{TaskerError, TaskerResult};

/// The common lifecycle of actors.
pub trait Actor {
    fn name(&self) -> &'static str;
    fn is_running(&self) -> bool;
    fn stop(&mut self);
}

/// The set of actors of one orchestrator.
#[derive(Default)]
pub struct ActorRegistry {
    actors: Vec<Box<dyn Actor + Send>>,
}

impl ActorRegistry {
    pub fn register(&mut self, actor: Box<dyn Actor + Send>) -> TaskerResult<()> {
        if self.actors.iter().any(|a| a.name() == actor.name()) {
            return Err(TaskerError::Config(format!("actor {} registered twice", actor.name())));
        }
        self.actors.push(actor);
        Ok(())
    }

    pub fn register_defaults(&mut self, config: &TaskerConfig) -> TaskerResult<()> {
        self.register(Box::new(TaskRequestActor::new(config.queue_capacity)))?;
        self.register(Box::new(StepEnqueuerActor::new(config.max_concurrent_steps)))?;
        self.register(Box::new(TaskFinalizerActor::new()))?;
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.actors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.actors.is_empty()
    }

    /// Stop every running actor; returns how many were running.
    pub fn stop_all(&mut self) -> usize {
        let mut stopped = 0;
        for actor in self.actors.iter_mut().filter(|a| a.is_running()) {
            actor.stop();
            stopped += 1;
        }
        stopped
    }
}
