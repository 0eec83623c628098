//! Why a candidate was rejected.

use std::fmt;

/// Why a candidate change was dropped. Its `Display` is the text recorded in
/// [`Rejection::reason`].
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Reason {
    MissingNeeds,
    Denial(String),
    Foreign(String),
    Future(String),
    Modal(String),
    Negated(String),
    DashWithoutName,
    CandidateList,
    SupportWithoutCandidacy,
    CandidacyWithoutName,
    SuccessorByPronoun,
    DelegatesNotPost,
    NoPerson,
    Addressee(String),
    QuotedRemark,
    CentralPost(String),
    OtherBodyPost(String),
    StatePost(String),
    TakesStatePost(String),
    MovesToStatePost(String),
    StateBodyPost(String),
    NoPost,
    NoPlace,
    PlaceLevel,
    NoParty,
    ForeignParty(String),
    Duplicate(usize),
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Reason::*;
        match self {
            Addressee(s) => write!(f, "the person is spoken to, not about («{s}»)"),
            QuotedRemark => f.write_str(
                "the verb is inside a quotation that does not name the person (a remark, not a report)",
            ),
            MissingNeeds => f.write_str(
                "verb without the words it needs here (e.g. \"released\" without \"from the post\")",
            ),
            Denial(s) => write!(f, "denial or rumour in the sentence («{s}»)"),
            Foreign(s) => write!(f, "foreign place or party («{s}»)"),
            Future(s) => write!(f, "future or planned («{s}»)"),
            Modal(s) => write!(f, "only possible or expected («{s}»)"),
            Negated(s) => write!(f, "negated («{s}»)"),
            DashWithoutName => f.write_str("dash not followed by a name"),
            CandidateList => f.write_str("heads a candidate list, not a branch"),
            SupportWithoutCandidacy => f.write_str("support vote without a candidacy"),
            CandidacyWithoutName => f.write_str("candidacy without a named person"),
            SuccessorByPronoun => f.write_str("successor named only by a pronoun"),
            DelegatesNotPost => f.write_str("delegates or candidate list, not a post"),
            NoPerson => f.write_str("no person named"),
            CentralPost(s) => write!(f, "central party post («{s}»), not a branch"),
            OtherBodyPost(s) => write!(f, "post of another body («{s}» and the words next to it)"),
            StatePost(s) => write!(f, "state post («{s}»), not a party branch"),
            TakesStatePost(s) => write!(f, "the post taken is a state post («{s}»)"),
            MovesToStatePost(s) => write!(f, "the post holder moves to a state post («{s}»)"),
            StateBodyPost(s) => write!(f, "post of a state body («{s}»)"),
            NoPost => f.write_str("no party-branch post named"),
            NoPlace => f.write_str("no branch place (region, city or district) found"),
            PlaceLevel => f.write_str("place does not fit the branch level"),
            NoParty => f.write_str("no party named"),
            ForeignParty(id) => write!(f, "party of another country ({id})"),
            Duplicate(s) => write!(f, "duplicate of the change in sentence {s}"),
        }
    }
}
