//! The seven changes that the change-log tests (`tests/store_changes.rs`)
//! and the HTTP API tests (`tests/api_http.rs`) both seed: spread over
//! parties, regions, levels, roles, events and dates (one undated), so each
//! filter selects a different subset. Tests refer to them by index.
#![allow(dead_code)]

use branchwatch::model::{DetectedChange, Event, Level, Role};
use chrono::NaiveDate;

/// One seeded change, as a detector would report it.
#[derive(Debug, Clone, Copy)]
pub struct Seed {
    pub person: &'static str,
    pub party: &'static str,
    pub level: Level,
    pub region: &'static str,
    pub role: Role,
    pub event: Event,
    /// (year, month, day) of the event, if the report gives one.
    pub date: Option<(i32, u32, u32)>,
}

/// Index 0 and 1: one post (AMANAT, KZ-33 chair) where the dismissal (9th)
/// precedes the election (10th); 5 is undated; 6 shares a surname with 0.
pub const SEVEN: [Seed; 7] = [
    Seed {
        person: "Куат Байгожаев",
        party: "AMANAT",
        level: Level::Region,
        region: "KZ-33",
        role: Role::Chair,
        event: Event::Elected,
        date: Some((2025, 1, 10)),
    },
    Seed {
        person: "Асхат Смагулов",
        party: "AMANAT",
        level: Level::Region,
        region: "KZ-33",
        role: Role::Chair,
        event: Event::Dismissed,
        date: Some((2025, 1, 9)),
    },
    Seed {
        person: "Ерлан Нұрланұлы",
        party: "AK_ZHOL",
        level: Level::Region,
        region: "KZ-19",
        role: Role::Chair,
        event: Event::Elected,
        date: Some((2025, 2, 1)),
    },
    Seed {
        person: "Айгүл Оспанова",
        party: "AMANAT",
        level: Level::District,
        region: "KZ-19",
        role: Role::FirstDeputyChair,
        event: Event::Appointed,
        date: Some((2025, 3, 1)),
    },
    Seed {
        person: "Дмитрий Ли",
        party: "QHP",
        level: Level::City,
        region: "KZ-75",
        role: Role::FirstSecretary,
        event: Event::ReElected,
        date: Some((2025, 4, 1)),
    },
    Seed {
        person: "Marat Bekov",
        party: "RESPUBLICA",
        level: Level::City,
        region: "KZ-71",
        role: Role::ExecutiveSecretary,
        event: Event::Resigned,
        date: None,
    },
    Seed {
        person: "Нұрлан Байгожаев",
        party: "AUYL",
        level: Level::Region,
        region: "KZ-33",
        role: Role::DeputyChair,
        event: Event::Elected,
        date: Some((2024, 12, 20)),
    },
];

impl Seed {
    pub fn date(&self) -> Option<NaiveDate> {
        self.date
            .map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).expect("a valid seed date"))
    }

    /// The detector's report of this change, under `person` as spelt in the
    /// article.
    pub fn detected_as(&self, person: &str, evidence: String, confidence: f32) -> DetectedChange {
        DetectedChange {
            person: person.to_string(),
            role: self.role,
            party: self.party.to_string(),
            level: self.level,
            region: self.region.to_string(),
            district: None,
            event: self.event,
            acting: false,
            previous_role: None,
            date: self.date(),
            evidence,
            confidence,
        }
    }

    /// The detector's report of this change.
    pub fn detected(&self, evidence: String, confidence: f32) -> DetectedChange {
        self.detected_as(self.person, evidence, confidence)
    }
}
