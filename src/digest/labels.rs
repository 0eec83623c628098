//! Interface words of the digest in English, Russian and Kazakh.
//!
//! Only labels are translated; names, evidence sentences and article titles
//! are shown as the source wrote them. The tables are data rather than
//! template text so that a user's overriding template gets them for free.

use crate::model::{Event, Lang, Role};
use std::collections::BTreeMap;

/// Fixed interface words, keyed as the templates use them (`l.person`...).
pub fn labels(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    let rows: &[(&str, &str, &str, &str)] = &[
        // key, en, ru, kk
        (
            "title",
            "Party branch leadership changes",
            "Смена руководства партийных филиалов",
            "Партия филиалдары басшылығының ауысуы",
        ),
        ("period", "Period", "Период", "Кезең"),
        ("changes", "Changes", "Изменения", "Өзгерістер"),
        (
            "needs_review",
            "Needs review",
            "Требуют проверки",
            "Тексеруді қажет етеді",
        ),
        (
            "no_changes",
            "No changes in this period.",
            "За этот период изменений нет.",
            "Бұл кезеңде өзгеріс болған жоқ.",
        ),
        ("person", "Person", "ФИО", "Аты-жөні"),
        ("role", "Post", "Должность", "Лауазымы"),
        ("event", "Event", "Событие", "Оқиға"),
        (
            "previous_role",
            "Previous post",
            "Прежняя должность",
            "Бұрынғы лауазымы",
        ),
        ("date", "Date", "Дата", "Күні"),
        ("date_unknown", "not stated", "не указана", "көрсетілмеген"),
        ("confidence", "Confidence", "Уверенность", "Сенімділік"),
        ("evidence", "Evidence", "Цитата", "Дәйексөз"),
        ("sources", "Sources", "Источники", "Дереккөздер"),
        ("district", "District/town", "Район/город", "Аудан/қала"),
        ("region", "Region", "Регион", "Өңір"),
        ("party", "Party", "Партия", "Партия"),
        (
            "footer",
            "Sent automatically by branchwatch. Quotes are reproduced as published.",
            "Письмо отправлено автоматически программой branchwatch. Цитаты приведены в том виде, в каком были опубликованы.",
            "Хатты branchwatch бағдарламасы автоматты түрде жіберді. Дәйексөздер жарияланған күйінде берілген.",
        ),
    ];
    rows.iter()
        .map(|(k, en, ru, kk)| {
            let v = match lang {
                Lang::En => *en,
                Lang::Ru => *ru,
                Lang::Kk => *kk,
            };
            (*k, v)
        })
        .collect()
}

/// The note under the review heading; `pct` is the threshold in percent.
pub fn review_note(lang: Lang, pct: u32) -> String {
    match lang {
        Lang::En => format!(
            "Detected with confidence below {pct}%: check the sources before relying on these."
        ),
        Lang::Ru => format!(
            "Обнаружены с уверенностью ниже {pct} %: перед использованием сверьте с источниками."
        ),
        Lang::Kk => {
            format!("Сенімділігі {pct}%-дан төмен: пайдаланар алдында дереккөздермен салыстырыңыз.")
        }
    }
}

/// The post, in the nominative, or as "acting ..." when `acting`.
pub fn role(lang: Lang, role: Role, acting: bool) -> &'static str {
    use Role::*;
    match (lang, acting, role) {
        (Lang::En, false, Chair) => "chair",
        (Lang::En, false, FirstDeputyChair) => "first deputy chair",
        (Lang::En, false, DeputyChair) => "deputy chair",
        (Lang::En, false, ExecutiveSecretary) => "executive secretary",
        (Lang::En, false, FirstSecretary) => "first secretary",
        (Lang::En, true, Chair) => "acting chair",
        (Lang::En, true, FirstDeputyChair) => "acting first deputy chair",
        (Lang::En, true, DeputyChair) => "acting deputy chair",
        (Lang::En, true, ExecutiveSecretary) => "acting executive secretary",
        (Lang::En, true, FirstSecretary) => "acting first secretary",
        (Lang::Ru, false, Chair) => "председатель",
        (Lang::Ru, false, FirstDeputyChair) => "первый заместитель председателя",
        (Lang::Ru, false, DeputyChair) => "заместитель председателя",
        (Lang::Ru, false, ExecutiveSecretary) => "исполнительный секретарь",
        (Lang::Ru, false, FirstSecretary) => "первый секретарь",
        // «И. о.» governs the genitive.
        (Lang::Ru, true, Chair) => "и. о. председателя",
        (Lang::Ru, true, FirstDeputyChair) => "и. о. первого заместителя председателя",
        (Lang::Ru, true, DeputyChair) => "и. о. заместителя председателя",
        (Lang::Ru, true, ExecutiveSecretary) => "и. о. исполнительного секретаря",
        (Lang::Ru, true, FirstSecretary) => "и. о. первого секретаря",
        (Lang::Kk, false, Chair) => "төраға",
        (Lang::Kk, false, FirstDeputyChair) => "төрағаның бірінші орынбасары",
        (Lang::Kk, false, DeputyChair) => "төраға орынбасары",
        (Lang::Kk, false, ExecutiveSecretary) => "атқарушы хатшы",
        (Lang::Kk, false, FirstSecretary) => "бірінші хатшы",
        (Lang::Kk, true, Chair) => "төраға міндетін атқарушы",
        (Lang::Kk, true, FirstDeputyChair) => "төрағаның бірінші орынбасары міндетін атқарушы",
        (Lang::Kk, true, DeputyChair) => "төраға орынбасары міндетін атқарушы",
        (Lang::Kk, true, ExecutiveSecretary) => "атқарушы хатшы міндетін атқарушы",
        (Lang::Kk, true, FirstSecretary) => "бірінші хатшы міндетін атқарушы",
    }
}

/// What happened. Russian past participles carry both genders, since the
/// record does not say which applies.
pub fn event(lang: Lang, event: Event) -> &'static str {
    use Event::*;
    match (lang, event) {
        (Lang::En, Elected) => "elected",
        (Lang::En, Appointed) => "appointed",
        (Lang::En, ReElected) => "re-elected",
        (Lang::En, Dismissed) => "dismissed",
        (Lang::En, Resigned) => "resigned",
        (Lang::Ru, Elected) => "избран(а)",
        (Lang::Ru, Appointed) => "назначен(а)",
        (Lang::Ru, ReElected) => "переизбран(а)",
        (Lang::Ru, Dismissed) => "освобождён(а) от должности",
        (Lang::Ru, Resigned) => "ушёл (ушла) в отставку",
        (Lang::Kk, Elected) => "сайланды",
        (Lang::Kk, Appointed) => "тағайындалды",
        (Lang::Kk, ReElected) => "қайта сайланды",
        (Lang::Kk, Dismissed) => "қызметінен босатылды",
        (Lang::Kk, Resigned) => "отставкаға кетті",
    }
}

/// A party's display name; unknown ids (user-added parties) show as given.
pub fn party(lang: Lang, id: &str) -> String {
    let name = match (id.to_ascii_uppercase().as_str(), lang) {
        ("AMANAT", _) => "AMANAT",
        ("AK_ZHOL", Lang::En) => "Ak Zhol",
        ("AK_ZHOL", Lang::Ru) => "Ак жол",
        ("AK_ZHOL", Lang::Kk) => "Ақ жол",
        ("AUYL", Lang::En) => "Auyl",
        ("AUYL", _) => "Ауыл",
        ("RESPUBLICA", _) => "Respublica",
        ("QHP", Lang::En) => "People's Party of Kazakhstan",
        ("QHP", Lang::Ru) => "Народная партия Казахстана",
        ("QHP", Lang::Kk) => "Қазақстан Халық партиясы",
        ("NSDP", Lang::En) => "NSDP",
        ("NSDP", Lang::Ru) => "ОСДП",
        ("NSDP", Lang::Kk) => "ЖСДП",
        ("BAYTAQ", Lang::En) => "Baytaq",
        ("BAYTAQ", _) => "Байтақ",
        _ => return id.to_string(),
    };
    name.to_string()
}

/// ISO 3166-2:KZ code → name; unknown codes show as given.
pub fn region(lang: Lang, code: &str) -> String {
    const REGIONS: &[(&str, &str, &str, &str)] = &[
        ("KZ-10", "Abai Region", "Абайская область", "Абай облысы"),
        (
            "KZ-11",
            "Akmola Region",
            "Акмолинская область",
            "Ақмола облысы",
        ),
        (
            "KZ-15",
            "Aktobe Region",
            "Актюбинская область",
            "Ақтөбе облысы",
        ),
        (
            "KZ-19",
            "Almaty Region",
            "Алматинская область",
            "Алматы облысы",
        ),
        (
            "KZ-23",
            "Atyrau Region",
            "Атырауская область",
            "Атырау облысы",
        ),
        (
            "KZ-27",
            "West Kazakhstan Region",
            "Западно-Казахстанская область",
            "Батыс Қазақстан облысы",
        ),
        (
            "KZ-31",
            "Jambyl Region",
            "Жамбылская область",
            "Жамбыл облысы",
        ),
        (
            "KZ-33",
            "Jetisu Region",
            "Жетысуская область",
            "Жетісу облысы",
        ),
        (
            "KZ-35",
            "Karaganda Region",
            "Карагандинская область",
            "Қарағанды облысы",
        ),
        (
            "KZ-39",
            "Kostanay Region",
            "Костанайская область",
            "Қостанай облысы",
        ),
        (
            "KZ-43",
            "Kyzylorda Region",
            "Кызылординская область",
            "Қызылорда облысы",
        ),
        (
            "KZ-47",
            "Mangystau Region",
            "Мангистауская область",
            "Маңғыстау облысы",
        ),
        (
            "KZ-55",
            "Pavlodar Region",
            "Павлодарская область",
            "Павлодар облысы",
        ),
        (
            "KZ-59",
            "North Kazakhstan Region",
            "Северо-Казахстанская область",
            "Солтүстік Қазақстан облысы",
        ),
        (
            "KZ-61",
            "Turkistan Region",
            "Туркестанская область",
            "Түркістан облысы",
        ),
        (
            "KZ-62",
            "Ulytau Region",
            "Улытауская область",
            "Ұлытау облысы",
        ),
        (
            "KZ-63",
            "East Kazakhstan Region",
            "Восточно-Казахстанская область",
            "Шығыс Қазақстан облысы",
        ),
        ("KZ-71", "Astana", "Астана", "Астана"),
        ("KZ-75", "Almaty", "Алматы", "Алматы"),
        ("KZ-79", "Shymkent", "Шымкент", "Шымкент"),
    ];
    let up = code.trim().to_ascii_uppercase();
    REGIONS
        .iter()
        .find(|r| r.0 == up)
        .map(|r| match lang {
            Lang::En => r.1,
            Lang::Ru => r.2,
            Lang::Kk => r.3,
        })
        .unwrap_or(code)
        .to_string()
}

/// "3 changes" with the noun form each language wants after the number.
pub fn count_phrase(lang: Lang, n: usize) -> String {
    match lang {
        Lang::En => match n {
            0 => "no changes".to_string(),
            1 => "1 change".to_string(),
            _ => format!("{n} changes"),
        },
        Lang::Ru => {
            if n == 0 {
                return "изменений нет".to_string();
            }
            let (d, h) = (n % 10, n % 100);
            let noun = if d == 1 && h != 11 {
                "изменение"
            } else if (2..=4).contains(&d) && !(12..=14).contains(&h) {
                "изменения"
            } else {
                "изменений"
            };
            format!("{n} {noun}")
        }
        // Kazakh nouns stay singular after a numeral.
        Lang::Kk => match n {
            0 => "өзгеріс жоқ".to_string(),
            _ => format!("{n} өзгеріс"),
        },
    }
}
