//! Scoring and de-duplication: a change reported twice is kept once, with the higher
//! confidence and whatever slots the other report added.

use super::doc::*;
use super::frames::*;
use super::names::*;
use super::reason::*;
use super::Rejection;
use crate::model::{Event, Level, Role};

pub(super) type ChangeKey = (String, Role, Event, Level, String, Option<String>);

pub(super) fn dedupe(mut v: Vec<Built>, rejected: &mut Vec<Rejection>, _d: &Doc) -> Vec<Built> {
    use std::collections::HashMap;
    // text order, so the first report of a change is the one kept
    v.sort_by_key(|b| (b.sentence, b.name_end));
    let mut out: Vec<Built> = Vec::new();
    let mut seen: HashMap<ChangeKey, usize> = HashMap::new();
    // (person, role, region) of posts filled: a later support vote for the same person adds nothing
    let mut filled: HashMap<(String, Role, String), usize> = HashMap::new();
    for b in v {
        let c = &b.change;
        let pk = person_key(&c.person);
        let key = (
            pk.clone(),
            c.role,
            c.event,
            c.level,
            c.region.clone(),
            c.district.clone(),
        );
        let fkey = (pk, c.role, c.region.clone());
        let dup = seen.get(&key).copied().or_else(|| {
            // a vote for a candidacy, a pronoun taking up the person just named
            // («Ол ... конференцияда филиал тізгінін ұстады») or "X replaces Y" after
            // X's election restates the change; an acting appointment and a later
            // election are two changes
            if c.event.fills_post() && !c.acting {
                // (a headline's vague verb gives way to the body: see below)
                filled.get(&fkey).copied().filter(|&oi| {
                    !out[oi].change.acting
                        && (out[oi].sentence > 0 || out[oi].change.event == c.event)
                })
            } else {
                None
            }
        });
        match dup {
            Some(oi) => {
                let o = &mut out[oi];
                // «На смену Y пришёл X. Бюро утвердило его»: the verb that tells how
                // the post was filled decides
                if o.vague_event
                    && !b.vague_event
                    && o.change.event.fills_post()
                    && c.event.fills_post()
                {
                    o.change.event = c.event;
                    o.vague_event = false;
                }
                if o.change.previous_role.is_none() {
                    o.change.previous_role = c.previous_role.clone();
                }
                if o.change.date.is_none() {
                    o.change.date = c.date;
                }
                o.change.confidence = o.change.confidence.max(c.confidence);
                rejected.push(Rejection {
                    sentence: b.sentence,
                    trigger: c.person.clone(),
                    reason: Reason::Duplicate(o.sentence).to_string(),
                });
            }
            None => {
                seen.insert(key, out.len());
                if c.event.fills_post() {
                    filled.entry(fkey).or_insert(out.len());
                }
                out.push(b);
            }
        }
    }
    prefer_body_over_headline(out, rejected)
}

/// A headline's verb is the vaguest report of a change («стала исполнительным
/// секретарём»): when the body reports the same person taking the same post as
/// elected where the headline said appointed (or the reverse), the body wins.
fn prefer_body_over_headline(mut out: Vec<Built>, rejected: &mut Vec<Rejection>) -> Vec<Built> {
    let fills = |b: &Built| matches!(b.change.event, Event::Elected | Event::Appointed);
    let same_post = |x: &Built, y: &Built| {
        person_key(&x.change.person) == person_key(&y.change.person)
            && x.change.role == y.change.role
            && x.change.region == y.change.region
            && x.change.event != y.change.event
    };
    let drop: Vec<usize> = (0..out.len())
        .filter(|&i| out[i].sentence == 0 && fills(&out[i]))
        .filter(|&i| {
            out.iter()
                .any(|o| o.sentence > 0 && fills(o) && same_post(&out[i], o))
        })
        .collect();
    for &i in drop.iter().rev() {
        let b = out.remove(i);
        if let Some(body) = out.iter().find(|o| same_post(&b, o)) {
            rejected.push(Rejection {
                sentence: b.sentence,
                trigger: b.change.person.clone(),
                reason: Reason::Duplicate(body.sentence).to_string(),
            });
        }
    }
    out
}

/// A sum of hand-set rule weights (added in this order, so the float result is fixed).
pub(super) fn confidence(
    place: &Place,
    party_named: bool,
    role: &RoleSlot,
    via_pronoun: bool,
) -> f32 {
    let mut conf: f32 = 0.55;
    if place.branch_named {
        conf += 0.15;
    }
    if !place.from_topic {
        conf += 0.1;
    }
    if party_named {
        conf += 0.05;
    }
    if role.marked {
        conf += 0.1;
    }
    if !role.named {
        conf -= 0.1;
    }
    if via_pronoun {
        conf -= 0.1;
    }
    conf.clamp(0.05, 0.99)
}
