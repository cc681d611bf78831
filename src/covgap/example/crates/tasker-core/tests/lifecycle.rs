//! Integration tests: task requests through the actors and the task state machine.

use tasker_core::actors::{TaskRequest, TaskRequestActor};
use tasker_core::state_machine::{TaskEvent, TaskState};
use tasker_core::TaskerError;

fn request(steps: &[(&str, &[&str])]) -> TaskRequest {
    TaskRequest {
        namespace: "payments".into(),
        name: "refund".into(),
        version: "1.0.0".into(),
        steps: steps
            .iter()
            .map(|(n, deps)| (n.to_string(), deps.iter().map(|d| d.to_string()).collect()))
            .collect(),
        idempotency_key: Some("refund-42".into()),
    }
}

#[test]
fn accepted_request_is_enqueuing_steps() {
    let mut actor = TaskRequestActor::new(4);
    let id = actor.handle(&request(&[("validate", &[]), ("charge", &["validate"])])).unwrap();
    assert_eq!(actor.task(id).unwrap().state(), TaskState::EnqueuingSteps);
}

#[test]
fn idempotency_key_returns_the_same_task() {
    let mut actor = TaskRequestActor::new(4);
    let req = request(&[("validate", &[])]);
    assert_eq!(actor.handle(&req).unwrap(), actor.handle(&req).unwrap());
}

#[test]
fn cyclic_steps_are_rejected() {
    let mut actor = TaskRequestActor::new(4);
    let err = actor.handle(&request(&[("a", &["b"]), ("b", &["a"])])).unwrap_err();
    assert!(matches!(err, TaskerError::MalformedMessage(ref m) if m.contains("cycle")));
}

#[test]
fn cancel_is_refused_after_completion() {
    let mut state = TaskState::Pending;
    for event in [TaskEvent::Start, TaskEvent::Initialized, TaskEvent::StepsEnqueued] {
        state = state.transition(event).unwrap();
    }
    assert_eq!(state.transition(TaskEvent::Cancel), Ok(TaskState::Cancelled));
    assert!(TaskState::Cancelled.transition(TaskEvent::Cancel).is_err());
}
