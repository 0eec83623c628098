//! Interface language (Kazakh, Russian, English) and the labels of the web
//! view. Names from articles are never translated; only the interface, the
//! enum values (role, event, level, status) and the names of regions and
//! parties the project knows are.

use crate::model::{Event, Level, ReviewStatus, Role};
use std::collections::BTreeMap;

/// The interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UiLang {
    Kk,
    Ru,
    #[default]
    En,
}

impl UiLang {
    pub const ALL: [UiLang; 3] = [UiLang::Kk, UiLang::Ru, UiLang::En];

    pub fn code(self) -> &'static str {
        match self {
            UiLang::Kk => "kk",
            UiLang::Ru => "ru",
            UiLang::En => "en",
        }
    }

    pub fn from_code(s: &str) -> Option<UiLang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "kk" | "kz" => Some(UiLang::Kk),
            "ru" => Some(UiLang::Ru),
            "en" => Some(UiLang::En),
            _ => None,
        }
    }

    /// The first supported language of an `Accept-Language` header, by
    /// quality (ties keep header order).
    pub fn from_accept_language(h: &str) -> Option<UiLang> {
        let mut best: Option<(f32, usize, UiLang)> = None;
        for (i, part) in h.split(',').enumerate() {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("").trim();
            let primary = tag.split('-').next().unwrap_or("");
            let Some(lang) = UiLang::from_code(primary) else {
                continue;
            };
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q <= 0.0 {
                continue;
            }
            let better = match best {
                None => true,
                Some((bq, bi, _)) => q > bq || (q == bq && i < bi),
            };
            if better {
                best = Some((q, i, lang));
            }
        }
        best.map(|b| b.2)
    }

    fn pick(self, v: &[&'static str; 3]) -> &'static str {
        match self {
            UiLang::Kk => v[0],
            UiLang::Ru => v[1],
            UiLang::En => v[2],
        }
    }

    /// Every interface label, for templates (`t.key`).
    pub fn labels(self) -> BTreeMap<&'static str, &'static str> {
        LABELS.iter().map(|(k, v)| (*k, self.pick(v))).collect()
    }

    pub fn role(self, r: Role) -> &'static str {
        self.pick(match r {
            Role::Chair => &["төраға", "председатель", "chair"],
            Role::FirstDeputyChair => &[
                "төрағаның бірінші орынбасары",
                "первый заместитель председателя",
                "first deputy chair",
            ],
            Role::DeputyChair => &[
                "төраға орынбасары",
                "заместитель председателя",
                "deputy chair",
            ],
            Role::ExecutiveSecretary => &[
                "атқарушы хатшы",
                "исполнительный секретарь",
                "executive secretary",
            ],
            Role::FirstSecretary => &["бірінші хатшы", "первый секретарь", "first secretary"],
        })
    }

    pub fn event(self, e: Event) -> &'static str {
        self.pick(match e {
            Event::Elected => &["сайланды", "избран(а)", "elected"],
            Event::Appointed => &["тағайындалды", "назначен(а)", "appointed"],
            Event::ReElected => &["қайта сайланды", "переизбран(а)", "re-elected"],
            Event::Dismissed => &["босатылды", "освобождён(а)", "dismissed"],
            Event::Resigned => &["отставкаға кетті", "ушёл (ушла) в отставку", "resigned"],
        })
    }

    pub fn level(self, l: Level) -> &'static str {
        self.pick(match l {
            Level::Region => &["облыстық", "областной", "region"],
            Level::City => &["қалалық", "городской", "city"],
            Level::District => &["аудандық", "районный", "district"],
        })
    }

    pub fn status(self, s: ReviewStatus) -> &'static str {
        self.pick(match s {
            ReviewStatus::New => &["жаңа", "новое", "new"],
            ReviewStatus::Confirmed => &["расталды", "подтверждено", "confirmed"],
            ReviewStatus::Rejected => &["қабылданбады", "отклонено", "rejected"],
        })
    }

    /// A party's name in this language; unknown ids are shown as they are.
    pub fn party(self, id: &str) -> String {
        let v: &[&str; 3] = match id {
            "AMANAT" => &["AMANAT", "AMANAT", "AMANAT"],
            "AK_ZHOL" => &["Ақ жол", "Ак жол", "Ak Zhol"],
            "AUYL" => &["Ауыл", "Ауыл", "Auyl"],
            "RESPUBLICA" => &["Respublica", "Respublica", "Respublica"],
            "QHP" => &["ҚХП", "НПК", "People's Party"],
            "NSDP" => &["ЖСДП", "ОСДП", "NSDP"],
            "BAYTAQ" => &["Байтақ", "Байтак", "Baytaq"],
            _ => return id.to_string(),
        };
        self.pick(v).to_string()
    }

    /// A region's name in this language; unknown codes are shown as they are.
    pub fn region(self, code: &str) -> String {
        match REGIONS.iter().find(|r| r.0 == code) {
            Some((_, names)) => self.pick(names).to_string(),
            None => code.to_string(),
        }
    }
}

/// ISO 3166-2:KZ codes with their names in Kazakh, Russian and English.
pub const REGIONS: &[(&str, [&str; 3])] = &[
    ("KZ-10", ["Абай облысы", "Абайская область", "Abai Region"]),
    (
        "KZ-11",
        ["Ақмола облысы", "Акмолинская область", "Akmola Region"],
    ),
    (
        "KZ-15",
        ["Ақтөбе облысы", "Актюбинская область", "Aktobe Region"],
    ),
    (
        "KZ-19",
        ["Алматы облысы", "Алматинская область", "Almaty Region"],
    ),
    (
        "KZ-23",
        ["Атырау облысы", "Атырауская область", "Atyrau Region"],
    ),
    (
        "KZ-27",
        [
            "Батыс Қазақстан облысы",
            "Западно-Казахстанская область",
            "West Kazakhstan Region",
        ],
    ),
    (
        "KZ-31",
        ["Жамбыл облысы", "Жамбылская область", "Jambyl Region"],
    ),
    (
        "KZ-33",
        ["Жетісу облысы", "Жетысуская область", "Jetisu Region"],
    ),
    (
        "KZ-35",
        [
            "Қарағанды облысы",
            "Карагандинская область",
            "Karaganda Region",
        ],
    ),
    (
        "KZ-39",
        ["Қостанай облысы", "Костанайская область", "Kostanay Region"],
    ),
    (
        "KZ-43",
        [
            "Қызылорда облысы",
            "Кызылординская область",
            "Kyzylorda Region",
        ],
    ),
    (
        "KZ-47",
        [
            "Маңғыстау облысы",
            "Мангистауская область",
            "Mangystau Region",
        ],
    ),
    (
        "KZ-55",
        ["Павлодар облысы", "Павлодарская область", "Pavlodar Region"],
    ),
    (
        "KZ-59",
        [
            "Солтүстік Қазақстан облысы",
            "Северо-Казахстанская область",
            "North Kazakhstan Region",
        ],
    ),
    (
        "KZ-61",
        [
            "Түркістан облысы",
            "Туркестанская область",
            "Turkistan Region",
        ],
    ),
    (
        "KZ-62",
        ["Ұлытау облысы", "Улытауская область", "Ulytau Region"],
    ),
    (
        "KZ-63",
        [
            "Шығыс Қазақстан облысы",
            "Восточно-Казахстанская область",
            "East Kazakhstan Region",
        ],
    ),
    ("KZ-71", ["Астана", "Астана", "Astana"]),
    ("KZ-75", ["Алматы", "Алматы", "Almaty"]),
    ("KZ-79", ["Шымкент", "Шымкент", "Shymkent"]),
];

const LABELS: &[(&str, [&str; 3])] = &[
    (
        "app",
        [
            "Партия филиалдарының басшылары",
            "Руководители филиалов партий",
            "Party branch leadership",
        ],
    ),
    ("overview", ["Шолу", "Обзор", "Overview"]),
    ("changes", ["Өзгерістер", "Изменения", "Changes"]),
    ("feeds", ["Арналар", "Ленты", "Feeds"]),
    ("sign_in", ["Кіру", "Войти", "Sign in"]),
    ("sign_out", ["Шығу", "Выйти", "Sign out"]),
    ("language", ["Тіл", "Язык", "Language"]),
    (
        "map",
        ["Өңірлер картасы", "Карта регионов", "Map of the regions"],
    ),
    (
        "by_recency",
        [
            "соңғы өзгеріс бойынша",
            "по давности последнего изменения",
            "by latest change",
        ],
    ),
    (
        "by_count",
        [
            "соңғы 12 айдағы өзгерістер саны",
            "по числу изменений за 12 месяцев",
            "by changes in the last 12 months",
        ],
    ),
    ("days_30", ["30 күн ішінде", "за 30 дней", "within 30 days"]),
    ("days_90", ["31–90 күн", "31–90 дней", "31–90 days ago"]),
    ("days_365", ["91–365 күн", "91–365 дней", "91–365 days ago"]),
    (
        "older",
        ["бір жылдан бұрын", "более года назад", "over a year ago"],
    ),
    ("no_changes", ["өзгеріс жоқ", "изменений нет", "no changes"]),
    (
        "latest",
        ["Соңғы өзгерістер", "Последние изменения", "Latest changes"],
    ),
    (
        "timeline",
        [
            "Айлар бойынша өзгерістер (партиялар)",
            "Изменения по месяцам и партиям",
            "Changes per month by party",
        ],
    ),
    (
        "all_changes",
        ["Барлық өзгерістер", "Все изменения", "All changes"],
    ),
    ("id", ["№", "№", "ID"]),
    ("date", ["Күні", "Дата", "Date"]),
    ("party", ["Партия", "Партия", "Party"]),
    ("region", ["Өңір", "Регион", "Region"]),
    ("level", ["Деңгей", "Уровень", "Level"]),
    ("role", ["Лауазым", "Должность", "Post"]),
    ("event", ["Оқиға", "Событие", "Event"]),
    ("person", ["Тұлға", "Персона", "Person"]),
    ("since", ["Бастап", "С", "Since"]),
    ("until", ["Дейін", "По", "Until"]),
    ("status", ["Күйі", "Статус", "Status"]),
    ("sources", ["Дереккөздер", "Источники", "Sources"]),
    ("confidence", ["Сенімділік", "Уверенность", "Confidence"]),
    (
        "needs_review",
        ["тексеру керек", "требует проверки", "needs review"],
    ),
    ("any", ["кез келген", "любой", "any"]),
    ("apply", ["Сүзу", "Применить", "Filter"]),
    ("reset", ["Тазарту", "Сбросить", "Reset"]),
    ("download", ["Жүктеу", "Скачать", "Download"]),
    ("previous_page", ["← Алдыңғы", "← Назад", "← Previous"]),
    ("next_page", ["Келесі →", "Далее →", "Next →"]),
    ("shown", ["көрсетілген", "показаны", "showing"]),
    ("of", ["/", "из", "of"]),
    ("none", ["жоқ", "нет", "none"]),
    ("change", ["Өзгеріс", "Изменение", "Change"]),
    (
        "district",
        ["Аудан / қала", "Район / город", "District / town"],
    ),
    ("acting", ["м.а.", "и.о.", "acting"]),
    (
        "previous_role",
        ["Бұрынғы лауазымы", "Прежняя должность", "Previous post"],
    ),
    (
        "first_seen",
        ["Алғаш көрінді", "Впервые замечено", "First seen"],
    ),
    ("outlet", ["Басылым", "Издание", "Outlet"]),
    ("lang", ["Тілі", "Язык", "Language"]),
    ("published", ["Жарияланды", "Опубликовано", "Published"]),
    ("link", ["Сілтеме", "Ссылка", "Link"]),
    ("evidence", ["Дәлел сөйлем", "Цитата", "Evidence"]),
    (
        "as_written",
        ["Дереккөзде", "Как в источнике", "As written"],
    ),
    ("history", ["Тарихы", "История", "History"]),
    (
        "review_history",
        ["Тексеру тарихы", "История проверки", "Review history"],
    ),
    (
        "previous_holder",
        ["Алдыңғы лауазым иесі", "Предыдущий", "Previous holder"],
    ),
    (
        "next_holder",
        ["Келесі лауазым иесі", "Следующий", "Next holder"],
    ),
    ("confirm", ["Растау", "Подтвердить", "Confirm"]),
    ("reject", ["Қабылдамау", "Отклонить", "Reject"]),
    ("note", ["Ескерту", "Примечание", "Note"]),
    ("edit", ["Түзету", "Исправить", "Edit"]),
    ("save", ["Сақтау", "Сохранить", "Save"]),
    ("review", ["Тексеру", "Проверка", "Review"]),
    (
        "read_only",
        [
            "Тек оқу: токен бапталмаған.",
            "Только чтение: токен не настроен.",
            "Read-only: no token is configured.",
        ],
    ),
    (
        "sign_in_to_review",
        [
            "Тексеру үшін кіріңіз.",
            "Войдите, чтобы проверять изменения.",
            "Sign in to review changes.",
        ],
    ),
    (
        "current_holders",
        [
            "Қазіргі басшылар",
            "Текущие руководители",
            "Current holders",
        ],
    ),
    ("vacant", ["бос", "вакантно", "vacant"]),
    (
        "predecessor",
        ["Алдыңғысы", "Предшественник", "Predecessor"],
    ),
    ("holder", ["Лауазым иесі", "Руководитель", "Holder"]),
    (
        "posts_held",
        ["Атқарған лауазымдары", "Занимаемые должности", "Posts held"],
    ),
    ("spellings", ["Жазылу нұсқалары", "Написания", "Spellings"]),
    ("name", ["Атауы", "Название", "Name"]),
    ("state", ["Күйі", "Состояние", "State"]),
    (
        "last_success",
        ["Соңғы сәтті", "Последний успех", "Last success"],
    ),
    ("error_kind", ["Қате түрі", "Тип ошибки", "Error kind"]),
    (
        "errors",
        ["Қателер қатарынан", "Ошибок подряд", "Errors in a row"],
    ),
    (
        "next_poll",
        ["Келесі тексеру", "Следующий опрос", "Next poll"],
    ),
    ("items", ["Жазбалар", "Записи", "Items"]),
    ("state_ok", ["жұмыс істейді", "работает", "ok"]),
    ("state_failing", ["қате", "ошибка", "failing"]),
    ("state_disabled", ["өшірілген", "отключена", "disabled"]),
    ("state_new", ["жаңа", "новая", "new"]),
    ("token", ["Токен", "Токен", "Token"]),
    ("not_found", ["Табылмады", "Не найдено", "Not found"]),
    (
        "bad_request",
        ["Қате сұрау", "Неверный запрос", "Bad request"],
    ),
    ("error", ["Қате", "Ошибка", "Error"]),
    ("month", ["Ай", "Месяц", "Month"]),
    (
        "map_note",
        [
            "Өңірді басып, оның бетін ашыңыз.",
            "Нажмите на регион, чтобы открыть его страницу.",
            "Select a region to open its page.",
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported() {
        let cases = [
            ("ru-RU,ru;q=0.9,en;q=0.8", Some(UiLang::Ru)),
            ("de,en;q=0.5,kk;q=0.7", Some(UiLang::Kk)),
            ("kk-KZ", Some(UiLang::Kk)),
            ("fr, de", None),
            ("en;q=0, ru;q=0.1", Some(UiLang::Ru)),
            ("", None),
        ];
        for (h, want) in cases {
            assert_eq!(UiLang::from_accept_language(h), want, "{h}");
        }
    }

    #[test]
    fn every_label_has_three_languages() {
        for (k, v) in LABELS {
            assert!(v.iter().all(|s| !s.is_empty()), "{k}");
        }
        assert_eq!(REGIONS.len(), 20);
    }
}
