//! The Web Worker (bin `swarmscope-worker`, feature `web`; trunk builds it with
//! `data-type="worker"`, see index.html). The page creates it on first need (`ui::worker`), it
//! says `ready`, then runs `jobs::exec` tasks in slices: after each slice it posts progress and
//! yields to its event loop, so a newer request or a cancel is taken between two slices. Several
//! jobs share it round-robin (the Guarantees and PACELC panels can both be busy).
//!
//! A panic posts `panic` with its message before the wasm aborts; the page then shows the error
//! in the panels and starts a fresh worker for the next job.

// Talc, as in the page (src/main.rs): fewer bytes and faster allocation than dlmalloc.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(target_arch = "wasm32")]
mod worker {
    use gloo::timers::callback::Timeout;
    use std::cell::RefCell;
    use swarmscope::jobs::exec::Task;
    use swarmscope::jobs::{FromWorker, Part, ToWorker};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    /// Wall time one tick may spend on slices before yielding, ms.
    const TICK_MS: f64 = 30.0;

    struct Job {
        id: u64,
        task: Task,
        started_ms: f64,
    }

    #[derive(Default)]
    struct State {
        jobs: Vec<Job>,
        /// Next job to give a slice to (round-robin).
        turn: usize,
        tick: Option<Timeout>,
    }

    thread_local! {
        static STATE: RefCell<State> = RefCell::new(State::default());
    }

    fn scope() -> DedicatedWorkerGlobalScope {
        js_sys::global().unchecked_into()
    }

    fn post(m: &FromWorker) {
        let _ = scope().post_message(&JsValue::from_str(&m.encode()));
    }

    fn now_ms() -> f64 {
        js_sys::Date::now()
    }

    fn schedule() {
        STATE.with(|s| {
            let mut s = s.borrow_mut();
            if s.tick.is_none() && !s.jobs.is_empty() {
                s.tick = Some(Timeout::new(0, tick));
            }
        });
    }

    /// Gives slices to the jobs in turn for up to [`TICK_MS`], then posts what each gained.
    fn tick() {
        let start = now_ms();
        let mut gained: Vec<(u64, Part, f64)> = vec![];
        let mut finished: Vec<(u64, f64)> = vec![];
        STATE.with(|s| {
            let mut s = s.borrow_mut();
            s.tick = None;
            while !s.jobs.is_empty() && now_ms() - start < TICK_MS {
                let i = s.turn % s.jobs.len();
                let job = &mut s.jobs[i];
                let step = job.task.step();
                let id = job.id;
                match gained.iter_mut().find(|(g, _, _)| *g == id) {
                    Some((_, part, done)) => {
                        part.merge(step.part);
                        *done = step.progress;
                    }
                    None => gained.push((id, step.part, step.progress)),
                }
                if step.done {
                    finished.push((id, now_ms() - job.started_ms));
                    s.jobs.remove(i);
                } else {
                    s.turn = i + 1;
                }
            }
        });
        for (id, part, done) in gained {
            match finished.iter().find(|(f, _)| *f == id) {
                Some((_, elapsed_ms)) => post(&FromWorker::Done {
                    id,
                    part,
                    elapsed_ms: *elapsed_ms,
                }),
                None => post(&FromWorker::Progress { id, done, part }),
            }
        }
        schedule();
    }

    fn on_message(text: &str) {
        match ToWorker::decode(text) {
            Ok(ToWorker::Run { id, job }) => match Task::new(job) {
                Ok(task) => {
                    STATE.with(|s| {
                        s.borrow_mut().jobs.push(Job {
                            id,
                            task,
                            started_ms: now_ms(),
                        })
                    });
                    schedule();
                }
                Err(message) => post(&FromWorker::Error { id, message }),
            },
            Ok(ToWorker::Cancel { id }) => {
                STATE.with(|s| s.borrow_mut().jobs.retain(|j| j.id != id));
            }
            Err(message) => post(&FromWorker::Error {
                id: 0,
                message: format!("malformed request: {message}"),
            }),
        }
    }

    pub fn start() {
        std::panic::set_hook(Box::new(|info| {
            post(&FromWorker::Panic {
                message: info.to_string(),
            });
        }));
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| {
            if let Some(text) = e.data().as_string() {
                on_message(&text);
            }
        });
        scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        onmessage.forget();
        post(&FromWorker::Ready);
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    worker::start();
}
