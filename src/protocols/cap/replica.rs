//! A replica of the task board: ABD-style two-phase majority operations in CP mode, answer-at-once
//! with push and anti-entropy in AP mode.

use super::*;

#[derive(Clone, Debug)]
pub(super) struct Pend {
    pub(super) client: NodeId,
    pub(super) req: u64,
    pub(super) key: usize,
    pub(super) write: Option<i64>,
    phase2: bool,
    pub(super) acks: Vec<bool>,
    pub(super) best: (Stamp, Option<i64>),
}

#[derive(Clone, Debug)]
pub struct Replica {
    pub cfg: Cfg,
    /// Durable: the board, the Lamport counter, the values this replica discarded.
    pub board: Vec<Reg>,
    pub clock: u64,
    pub lost: Vec<i64>,
    pub(super) next_op: u64,
    /// Volatile: operations this replica coordinates (CP).
    pub(super) pending: crate::sim::vecmap::VecMap<u64, Pend>,
}

impl Replica {
    pub fn new(cfg: Cfg, keys: usize) -> Replica {
        Replica {
            cfg,
            board: vec![Reg::default(); keys],
            clock: 0,
            lost: vec![],
            next_op: 0,
            pending: Default::default(),
        }
    }

    pub(super) fn to_replicas(&self, ctx: &mut Ctx<Msg>, msg: Msg) {
        for p in 0..self.cfg.replicas as u32 {
            if p != ctx.id().0 {
                ctx.send(NodeId(p), msg.clone());
            }
        }
    }

    pub(super) fn request(
        &mut self,
        ctx: &mut Ctx<Msg>,
        client: NodeId,
        req: u64,
        key: usize,
        w: Option<i64>,
    ) {
        let Some(reg) = self.board.get_mut(key) else {
            return ctx.send(
                client,
                Msg::Reply {
                    req,
                    res: Res::Refused,
                },
            );
        };
        let me = ctx.id().index();
        if self.cfg.mode == Mode::Ap {
            // AP: answer from the local copy now; replicate afterwards.
            if let Some(v) = w {
                self.clock += 1;
                let stamp = Stamp {
                    counter: self.clock,
                    replica: me as u32,
                };
                reg.write(v, stamp, me, self.cfg.replicas);
                let board = self.board.clone();
                self.to_replicas(ctx, Msg::Sync { board });
            }
            let reg = &self.board[key];
            let res = Res::Ok {
                value: reg.read(),
                stamp: reg.stamp(),
            };
            return ctx.send(client, Msg::Reply { req, res });
        }
        // CP phase 1: ask every replica for its copy; a majority must answer.
        let op = self.next_op;
        self.next_op += 1;
        let mut acks = vec![false; self.cfg.replicas];
        acks[me] = true;
        let best = (reg.stamp(), reg.top());
        self.pending.insert(
            op,
            Pend {
                client,
                req,
                key,
                write: w,
                phase2: false,
                acks,
                best,
            },
        );
        ctx.set_timer(OP_BASE + op, self.cfg.timeout);
        self.to_replicas(ctx, Msg::Get { op, key });
        self.advance(ctx, op);
    }

    /// Moves operation `op` on once its current phase has a quorum.
    pub(super) fn advance(&mut self, ctx: &mut Ctx<Msg>, op: u64) {
        let me = ctx.id();
        let Some(p) = self.pending.get_mut(&op) else {
            return;
        };
        if p.acks.iter().filter(|a| **a).count() < self.cfg.quorum {
            return;
        }
        if !p.phase2 {
            let (stamp, value) = match (p.write, p.best) {
                // ABD write: a stamp above every stamp a majority has seen.
                (Some(v), (s, _)) => {
                    self.clock = self.clock.max(s.counter) + 1;
                    (
                        Stamp {
                            counter: self.clock,
                            replica: me.0,
                        },
                        v,
                    )
                }
                // ABD read: write back what was found, so later reads cannot see less.
                (None, (s, Some(v))) => (s, v),
                (None, (_, None)) => {
                    let (client, req) = (p.client, p.req);
                    self.pending.remove(&op);
                    ctx.cancel_timer(OP_BASE + op);
                    let res = Res::Ok {
                        value: Value::Nil,
                        stamp: Stamp::default(),
                    };
                    return ctx.send(client, Msg::Reply { req, res });
                }
            };
            p.phase2 = true;
            p.best = (stamp, Some(value));
            p.acks = vec![false; self.cfg.replicas];
            p.acks[me.index()] = true;
            let key = p.key;
            self.board[key].put(value, stamp);
            self.to_replicas(
                ctx,
                Msg::Put {
                    op,
                    key,
                    stamp,
                    value,
                },
            );
            return self.advance(ctx, op);
        }
        let (client, req, (stamp, value)) = (p.client, p.req, p.best);
        self.pending.remove(&op);
        ctx.cancel_timer(OP_BASE + op);
        let value = value.map_or(Value::Nil, Value::Int);
        ctx.send(
            client,
            Msg::Reply {
                req,
                res: Res::Ok { value, stamp },
            },
        );
    }

    pub(super) fn on_msg(&mut self, ctx: &mut Ctx<Msg>, from: NodeId, msg: &Msg) {
        let f = from.index();
        match msg {
            Msg::Req { req, key, write } => self.request(ctx, from, *req, *key, *write),
            Msg::Get { op, key } => {
                if let Some(r) = self.board.get(*key) {
                    let value = r.top();
                    ctx.send(
                        from,
                        Msg::GetAck {
                            op: *op,
                            stamp: r.stamp(),
                            value,
                        },
                    );
                }
            }
            Msg::Put {
                op,
                key,
                stamp,
                value,
            } => {
                if let Some(r) = self.board.get_mut(*key) {
                    self.clock = self.clock.max(stamp.counter);
                    r.put(*value, *stamp);
                    ctx.send(from, Msg::PutAck { op: *op });
                }
            }
            Msg::GetAck { op, stamp, value } => {
                if let Some(p) = self.pending.get_mut(op).filter(|p| !p.phase2) {
                    if f < p.acks.len() {
                        p.acks[f] = true;
                        if (*stamp, *value) > p.best {
                            p.best = (*stamp, *value);
                        }
                    }
                    self.advance(ctx, *op);
                }
            }
            Msg::PutAck { op } => {
                if let Some(p) = self.pending.get_mut(op).filter(|p| p.phase2) {
                    if f < p.acks.len() {
                        p.acks[f] = true;
                    }
                    self.advance(ctx, *op);
                }
            }
            Msg::Sync { board } => {
                for (k, (mine, theirs)) in self.board.iter_mut().zip(board).enumerate() {
                    self.clock = self.clock.max(theirs.stamp().counter);
                    for l in mine.merge(theirs, self.cfg.merge) {
                        let winner = mine.read();
                        ctx.note(format!(
                            "lost update: task{k} = {} overwritten by concurrent {winner}",
                            l.value
                        ));
                        if !self.lost.contains(&l.value) {
                            self.lost.push(l.value);
                        }
                    }
                }
            }
            Msg::Reply { .. } => {}
        }
    }

    pub(super) fn on_tick(&mut self, ctx: &mut Ctx<Msg>, key: TimerKey) {
        if key == SYNC {
            if self.cfg.mode == Mode::Ap {
                let board = self.board.clone();
                self.to_replicas(ctx, Msg::Sync { board });
            }
            return ctx.set_timer(SYNC, self.cfg.sync);
        }
        let op = key.wrapping_sub(OP_BASE);
        if let Some(p) = self.pending.remove(&op) {
            // Phase 1 has no side effects: a definite refusal. Phase 2 may have landed somewhere.
            let res = if p.phase2 { Res::Unknown } else { Res::Refused };
            ctx.note(if p.phase2 {
                "quorum lost mid-write"
            } else {
                "no quorum: refuses"
            });
            ctx.send(p.client, Msg::Reply { req: p.req, res });
        }
    }
}
