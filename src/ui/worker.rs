//! The page's side of the Web Worker (bin `swarmscope-worker`, `crate::jobs`): started on the
//! first [`submit`] (never on the gallery's first load), fed with text messages, its replies
//! routed to the job's handler.
//!
//! - A job's [`JobHandle`] cancels it when dropped, so a panel that supersedes its request (new
//!   parameters, a longer history) or unmounts simply drops the old handle; replies to a
//!   cancelled job are ignored.
//! - Requests sent before the worker said `ready` wait in a queue (a wasm worker drops messages
//!   that arrive while it is still loading).
//! - A failure of the worker (its script did not load, it panicked, it threw) is reported to
//!   every pending job as [`Event::Failed`] with words for the panel; the broken worker is
//!   terminated and the next [`submit`] starts a fresh one. The page itself never breaks.

use crate::jobs::{FromWorker, Job, Part, ToWorker};
use gloo::timers::callback::Timeout;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

/// The worker's loader shim (trunk `data-loader-shim`), next to index.html.
pub const LOADER: &str = "./swarmscope-worker_loader.js";

/// What a job's handler hears.
#[derive(Clone, Debug)]
pub enum Event {
    /// `done` in `[0, 1]`; `part`: what the last slice added.
    Progress { done: f64, part: Part },
    /// The last slice; `elapsed_ms`: compute time in the worker.
    Done { part: Part, elapsed_ms: f64 },
    /// Bad parameters, or the worker failed; in words.
    Failed(String),
}

type Handler = Rc<dyn Fn(Event)>;

struct Client {
    worker: Worker,
    ready: bool,
    queue: Vec<String>,
    handlers: Vec<(u64, Handler)>,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onerror: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
    static STARTS: Cell<u32> = const { Cell::new(0) };
}

/// How many workers this page has started (0 until a panel needs one).
pub fn starts() -> u32 {
    STARTS.with(Cell::get)
}

/// A submitted job; dropping it cancels the job.
pub struct JobHandle {
    id: u64,
}

impl JobHandle {
    pub fn id(&self) -> u64 {
        self.id
    }
}

impl Drop for JobHandle {
    fn drop(&mut self) {
        let id = self.id;
        let live = CLIENT.with(|c| {
            let mut c = c.borrow_mut();
            let Some(cl) = c.as_mut() else { return false };
            let before = cl.handlers.len();
            cl.handlers.retain(|(h, _)| *h != id);
            before != cl.handlers.len()
        });
        if live {
            send(ToWorker::Cancel { id }.encode());
        }
    }
}

fn handler(id: u64) -> Option<Handler> {
    CLIENT.with(|c| {
        c.borrow()
            .as_ref()
            .and_then(|cl| cl.handlers.iter().find(|(h, _)| *h == id))
            .map(|(_, f)| f.clone())
    })
}

fn forget(id: u64) {
    CLIENT.with(|c| {
        if let Some(cl) = c.borrow_mut().as_mut() {
            cl.handlers.retain(|(h, _)| *h != id);
        }
    });
}

/// Terminates the worker and tells every pending job why.
fn fail_all(why: String) {
    let handlers = CLIENT.with(|c| {
        c.borrow_mut()
            .take()
            .map(|cl| {
                cl.worker.terminate();
                cl.handlers
            })
            .unwrap_or_default()
    });
    for (_, h) in handlers {
        h(Event::Failed(why.clone()));
    }
}

fn on_reply(text: &str) {
    let msg = match FromWorker::decode(text) {
        Ok(m) => m,
        Err(e) => return fail_all(format!("the worker sent a malformed reply ({e})")),
    };
    match msg {
        FromWorker::Ready => {
            let queue = CLIENT.with(|c| {
                c.borrow_mut()
                    .as_mut()
                    .map(|cl| {
                        cl.ready = true;
                        std::mem::take(&mut cl.queue)
                    })
                    .unwrap_or_default()
            });
            for m in queue {
                send(m);
            }
        }
        FromWorker::Progress { id, done, part } => {
            if let Some(h) = handler(id) {
                h(Event::Progress { done, part });
            }
        }
        FromWorker::Done {
            id,
            part,
            elapsed_ms,
        } => {
            if let Some(h) = handler(id) {
                forget(id);
                h(Event::Done { part, elapsed_ms });
            }
        }
        FromWorker::Error { id, message } => {
            if let Some(h) = handler(id) {
                forget(id);
                h(Event::Failed(message));
            }
        }
        FromWorker::Panic { message } => fail_all(format!("the worker crashed: {message}")),
    }
}

fn start() -> Result<Client, String> {
    let worker = Worker::new(LOADER).map_err(|e| {
        format!(
            "could not start the worker ({})",
            e.as_string().unwrap_or_else(|| "blocked".into())
        )
    })?;
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| {
        if let Some(text) = e.data().as_string() {
            on_reply(&text);
        }
    });
    let onerror = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
        // Handled here: not reported again as an uncaught error of the page.
        e.prevent_default();
        let detail = js_sys::Reflect::get(&e, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "its script did not load".into());
        fail_all(format!("the worker failed: {detail}"));
    });
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    STARTS.with(|s| s.set(s.get() + 1));
    Ok(Client {
        worker,
        ready: false,
        queue: vec![],
        handlers: vec![],
        _onmessage: onmessage,
        _onerror: onerror,
    })
}

/// Posts a message now if the worker is ready, else queues it.
fn send(m: String) {
    CLIENT.with(|c| {
        if let Some(cl) = c.borrow_mut().as_mut() {
            if cl.ready {
                // Posting a string cannot fail to clone; a dead worker reports through `onerror`.
                let _ = cl.worker.post_message(&JsValue::from_str(&m));
            } else {
                cl.queue.push(m);
            }
        }
    });
}

/// Starts `job` in the worker (starting the worker if needed); `on` hears its progress and
/// result. Drop the handle to cancel.
pub fn submit(job: Job, on: impl Fn(Event) + 'static) -> JobHandle {
    let id = NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    });
    let on: Handler = Rc::new(on);
    let started = CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            *c = Some(start()?);
        }
        if let Some(cl) = c.as_mut() {
            cl.handlers.push((id, on.clone()));
        }
        Ok::<(), String>(())
    });
    match started {
        Ok(()) => send(ToWorker::Run { id, job }.encode()),
        Err(why) => {
            // Asynchronously, as a reply would come: the caller may be rendering.
            Timeout::new(0, move || on(Event::Failed(why))).forget();
        }
    }
    JobHandle { id }
}
