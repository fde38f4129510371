//! A planner agent: sends reads and writes of task cards to its home replica, times out, and keeps
//! what completed for the checker.

use super::*;

/// A client's completed operation, for the checker.
#[derive(Clone, Debug, PartialEq)]
pub struct Done {
    pub key: usize,
    pub write: Option<i64>,
    pub invoked: Time,
    pub completed: Time,
    pub outcome: Outcome,
    pub stamp: Stamp,
    pub value: Value,
}

#[derive(Clone, Debug)]
pub struct Client {
    pub home: NodeId,
    pub keys: usize,
    pub think: Time,
    pub timeout: Time,
    pub(super) seq: u64,
    pub(super) open: Option<(u64, usize, Option<i64>, Time)>,
    /// Durable counters and the last completed operation (read by the checker).
    pub ok: u64,
    pub fail: u64,
    pub info: u64,
    pub last: Option<Done>,
}

impl Client {
    pub fn new(home: NodeId, keys: usize, think: Time, timeout: Time) -> Client {
        Client {
            home,
            keys,
            think,
            timeout,
            seq: 0,
            open: None,
            ok: 0,
            fail: 0,
            info: 0,
            last: None,
        }
    }
    pub fn done(&self) -> u64 {
        self.ok + self.fail + self.info
    }
    pub(super) fn schedule(&mut self, ctx: &mut Ctx<Msg>) {
        let t = self.think.0.max(2);
        let after = t / 2 + ctx.rng().below(t);
        ctx.set_timer(NEXT, Time(after));
    }
    pub(super) fn issue(&mut self, ctx: &mut Ctx<Msg>, key: usize, write: Option<i64>) {
        if self.open.is_some() {
            return;
        }
        self.seq += 1;
        let req = self.seq;
        let (f, input) = match write {
            Some(v) => (OpFn::Write, Value::Int(v)),
            None => (OpFn::Read, Value::Nil),
        };
        ctx.invoke(req, f, format!("task{key}"), input);
        self.open = Some((req, key, write, ctx.now()));
        ctx.send(self.home, Msg::Req { req, key, write });
        ctx.set_timer(CLIENT_TIMEOUT, self.timeout);
    }
    pub(super) fn finish(
        &mut self,
        ctx: &mut Ctx<Msg>,
        outcome: Outcome,
        value: Value,
        stamp: Stamp,
    ) {
        let Some((req, key, write, invoked)) = self.open.take() else {
            return;
        };
        match outcome {
            Outcome::Ok => self.ok += 1,
            Outcome::Fail => self.fail += 1,
            Outcome::Info => self.info += 1,
        }
        let output = if write.is_some() {
            Value::Nil
        } else {
            value.clone()
        };
        ctx.complete(req, outcome, output);
        self.last = Some(Done {
            key,
            write,
            invoked,
            completed: ctx.now(),
            outcome,
            stamp,
            value,
        });
        ctx.cancel_timer(CLIENT_TIMEOUT);
        self.schedule(ctx);
    }
}
