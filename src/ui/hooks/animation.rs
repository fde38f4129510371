//! `use_animation_frame`: calls back once per display frame with the wall-clock milliseconds
//! since the previous frame, while `active`. The closure re-arms itself; the cleanup cancels the
//! pending frame and drops the closure (never from inside its own call).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

type Slot = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

#[hook]
pub fn use_animation_frame(active: bool, on_frame: Callback<f64>) {
    let cb = use_mut_ref(|| on_frame.clone());
    *cb.borrow_mut() = on_frame;
    use_effect_with(active, move |active| {
        let slot: Slot = Rc::new(RefCell::new(None));
        let pending = Rc::new(Cell::new(0i32));
        let stopped = Rc::new(Cell::new(false));
        if *active {
            let stopped2 = stopped.clone();
            let last = Rc::new(Cell::new(-1.0f64));
            let slot2 = slot.clone();
            let pending2 = pending.clone();
            let closure = Closure::<dyn FnMut(f64)>::new(move |ts: f64| {
                let prev = last.replace(ts);
                let dt = if prev < 0.0 { 0.0 } else { ts - prev };
                let f = cb.borrow().clone();
                f.emit(dt);
                if stopped2.get() {
                    return;
                }
                if let (Some(w), Some(c)) = (web_sys::window(), slot2.borrow().as_ref()) {
                    if let Ok(id) = w.request_animation_frame(c.as_ref().unchecked_ref()) {
                        pending2.set(id);
                    }
                }
            });
            if let Some(w) = web_sys::window() {
                if let Ok(id) = w.request_animation_frame(closure.as_ref().unchecked_ref()) {
                    pending.set(id);
                }
            }
            *slot.borrow_mut() = Some(closure);
        }
        move || {
            stopped.set(true);
            if let Some(w) = web_sys::window() {
                let _ = w.cancel_animation_frame(pending.get());
            }
            // Dropped later, never from inside its own call (a render can run from `emit`).
            gloo::timers::callback::Timeout::new(0, move || {
                if let Ok(mut s) = slot.try_borrow_mut() {
                    s.take();
                }
            })
            .forget();
        }
    });
}
