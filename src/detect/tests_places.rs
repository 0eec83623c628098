//! Tests of where a change's branch is placed and of a few phrasings seen in unseen
//! news: a place inside a causal, destination or previous-job clause never overrides
//! the branch's place; a town branch named only as «қалалық / городской / town» is the
//! branch of the nearest town named before it; "sacked deputy chairman X" and a
//! successor who inherits post, branch and date; Kazakh first deputy chairs; Kazakh
//! Latin (2018) Communist regional committees led by a first secretary; and a Kazakh
//! acting chair entrusted in the dative. Every sentence was written for these tests;
//! names and events are invented.

use super::test_support::{check_post as check, check_rows, detect_in, find_surname as find};
use crate::model::{DetectedChange, Event, Lang, Level, Role};
use chrono::NaiveDate;

fn det_t(lang: Lang, title: &str, text: &str) -> Vec<DetectedChange> {
    detect_in(
        Some(lang),
        title,
        text,
        NaiveDate::from_ymd_opt(2025, 3, 14),
    )
}

fn det(lang: Lang, text: &str) -> Vec<DetectedChange> {
    det_t(lang, "", text)
}

// ------------------------------------------------ 1. places in side clauses

#[test]
fn kk_the_town_where_a_conference_was_held_is_no_branch_place() {
    let v = det(
        Lang::Kk,
        "Қарасай аудандық филиалын бұдан былай Нұрлан Сейітов басқарады. Ол Қаскелең \
         қаласында өткен конференцияда «AMANAT» партиясының филиал тізгінін ұстады.",
    );
    let c = find(&v, "Сейітов");
    check(c, Role::Chair, Event::Elected, "KZ-19", Level::District);
    assert_eq!(c.district.as_deref(), Some("Karasai"));
}

#[test]
fn kk_destination_place_does_not_move_the_branch() {
    let v = det(
        Lang::Kk,
        "AMANAT партиясы Жамбыл облыстық филиалында өзгеріс болды. Филиал төрағасы \
         Ерлан Сәрсенов Алматы қаласына көшуіне байланысты қызметінен кетті.",
    );
    let c = find(&v, "Сәрсенов");
    check(c, Role::Chair, Event::Resigned, "KZ-31", Level::Region);
    assert_eq!(c.district, None);
}

#[test]
fn ru_destination_after_pereezd_is_not_the_branch() {
    let v = det(
        Lang::Ru,
        "В Жамбылском областном филиале партии AMANAT сменился руководитель. \
         Председатель филиала Ержан Сеитов освобожден от должности в связи с переездом \
         в Алматинскую область.",
    );
    let c = find(&v, "Сеитов");
    check(c, Role::Chair, Event::Dismissed, "KZ-31", Level::Region);
}

#[test]
fn en_place_in_who_clause_is_a_previous_job() {
    let v = det(
        Lang::En,
        "The Jambyl regional branch of AMANAT has a new leader. Aidos Serikov, who had \
         headed the party's public reception in Karasai district of Almaty region, was \
         elected chairman of the branch.",
    );
    let c = find(&v, "Serikov");
    check(c, Role::Chair, Event::Elected, "KZ-31", Level::Region);
    assert_eq!(c.district, None);
}

#[test]
fn kk_sentence_opening_previous_job_clause_is_not_the_branch() {
    let v = det(
        Lang::Kk,
        "AMANAT партиясы Жамбыл облыстық филиалында өзгеріс болды. Қарасай ауданындағы \
         қоғамдық қабылдауды басқарған Айдос Серіков филиалдың төрағасы болып сайланды.",
    );
    let c = find(&v, "Серіков");
    check(c, Role::Chair, Event::Elected, "KZ-31", Level::Region);
    assert_eq!(c.district, None);
}

// ------------------------------------------------ 2. town branches under a region

#[test]
fn kk_bare_town_branch_takes_the_town_named_before() {
    let v = det(
        Lang::Kk,
        "Семей қаласында AMANAT партиясы Абай облыстық филиалының жиыны өтті. Қалалық \
         конференция Ержан Бекенді қалалық филиалдың төрағасы етіп сайлады.",
    );
    let c = find(&v, "Бекен");
    check(c, Role::Chair, Event::Elected, "KZ-10", Level::City);
    assert_eq!(c.district.as_deref(), Some("Semey"));
}

#[test]
fn ru_town_adjective_branch_is_a_city_branch_of_its_region() {
    let v = det(
        Lang::Ru,
        "Конференция Жезказганского городского филиала партии AMANAT избрала \
         председателем Алмаса Нуртаева.",
    );
    let c = find(&v, "Нуртаев");
    check(c, Role::Chair, Event::Elected, "KZ-62", Level::City);
    assert_eq!(c.district.as_deref(), Some("Zhezkazgan"));
}

#[test]
fn en_fronted_town_names_the_town_branch() {
    let v = det(
        Lang::En,
        "In Ekibastuz, the town branch of the AMANAT party elected Marat Kenzhebayev as its \
         chairman.",
    );
    let c = find(&v, "Kenzhebayev");
    check(c, Role::Chair, Event::Elected, "KZ-55", Level::City);
    assert_eq!(c.district.as_deref(), Some("Ekibastuz"));
}

// ------------------------------------------------ 3. sacked deputy, successor inherits

#[test]
fn en_sacked_deputy_and_successor_inherit_post_branch_and_date() {
    let v = det(
        Lang::En,
        "On 12 March 2025 the bureau of the Kostanay regional branch of the AMANAT party \
         sacked deputy chairman Arman Zhunusov over repeated absences. The post went to \
         Dana Ibraimova.",
    );
    assert_eq!(v.len(), 2, "{v:#?}");
    let d = NaiveDate::from_ymd_opt(2025, 3, 12);
    let a = find(&v, "Zhunusov");
    check(
        a,
        Role::DeputyChair,
        Event::Dismissed,
        "KZ-39",
        Level::Region,
    );
    assert_eq!(a.date, d);
    let b = find(&v, "Ibraimova");
    assert_eq!(b.role, Role::DeputyChair, "{b:#?}");
    assert_eq!(b.region, "KZ-39", "{b:#?}");
    assert_eq!(b.date, d, "{b:#?}");
}

// ------------------------------------------------ 4. Kazakh first deputy chairs

#[test]
fn kk_first_deputy_chair_phrasings() {
    let v = det(
        Lang::Kk,
        "AMANAT партиясы Ақтөбе облыстық филиалы төрағасының бірінші орынбасары болып \
         Нұрлан Әбенов сайланды. Бірінші орынбасарлыққа Серік Жақсыбеков сайланды. \
         Дәурен Қасенов бірінші орынбасар болып сайланды.",
    );
    for s in ["Әбенов", "Жақсыбеков", "Қасенов"] {
        let c = find(&v, s);
        check(
            c,
            Role::FirstDeputyChair,
            Event::Elected,
            "KZ-15",
            Level::Region,
        );
    }
}

// ------------------------------------------------ 5. Kazakh Latin Communist committees

#[test]
fn kk_latin_regional_committee_plenum_and_the_outgoing_secretary() {
    let v = det_t(
        Lang::Kk,
        "Aqtóbe oblystyq partııa komıtetine jańa birinshi hatshy saılandy",
        "Qazaqstan Kommýnıstik halyq partııasy Aqtóbe oblystyq komıtetiniń plenýmynda \
         birinshi hatshy bolyp Ermek Dáýletov saılandy. Ol buǵan deıin Shalqar aýdandyq \
         partııa komıtetiniń hatshysy bolǵan. Komıtetti osy ýaqytqa deıin basqarǵan \
         Gúlnar Sársenova óz ótinishi boıynsha qyzmetinen bosatyldy.",
    );
    assert_eq!(v.len(), 2, "{v:#?}");
    let a = find(&v, "Dáýletov");
    check(
        a,
        Role::FirstSecretary,
        Event::Elected,
        "KZ-15",
        Level::Region,
    );
    assert_eq!(a.party, "QHP");
    assert_eq!(a.person, "Ermek Dáýletov", "Latin letters are kept");
    let b = find(&v, "Sársenova");
    check(
        b,
        Role::FirstSecretary,
        Event::Resigned,
        "KZ-15",
        Level::Region,
    );
    assert_eq!(b.party, "QHP");
}

// ------------------------------------------------ 6. Kazakh acting chair in the dative

#[test]
fn kk_duties_entrusted_in_the_dative_make_an_acting_chair() {
    let v = det(
        Lang::Kk,
        "Тарбағатай ауданынан келген хабар бойынша, AMANAT партиясы Абай облыстық \
         филиалының Тарбағатай аудандық филиалының төрағасы Ерлан Сәрсенов өз өтінішімен \
         орнынан түсті. Филиал кеңесі төрағаның міндетін уақытша атқаруды Айгүл \
         Мұратоваға жүктеді.",
    );
    let a = find(&v, "Сәрсенов");
    check(a, Role::Chair, Event::Resigned, "KZ-10", Level::District);
    let b = find(&v, "Мұратова");
    check(b, Role::Chair, Event::Appointed, "KZ-10", Level::District);
    assert!(b.acting, "{b:#?}");
    assert_eq!(b.person, "Айгүл Мұратова");
}

#[test]
fn ru_and_en_town_named_before_a_bare_city_branch() {
    let v = det(
        Lang::Ru,
        "В городе Сатпаев прошла отчетная конференция партии AMANAT. Председателем \
         городского филиала избран Ерлан Ахметов.",
    );
    let c = find(&v, "Ахметов");
    check(c, Role::Chair, Event::Elected, "KZ-62", Level::City);
    assert_eq!(c.district.as_deref(), Some("Satpayev"));
    let v = det(
        Lang::En,
        "A party conference was held in the town of Ridder on Friday. The AMANAT city \
         branch elected Ruslan Omarov as its chairman.",
    );
    let c = find(&v, "Omarov");
    check(c, Role::Chair, Event::Elected, "KZ-63", Level::City);
    assert_eq!(c.district.as_deref(), Some("Ridder"));
}

#[test]
fn kk_cyrillic_committee_plenum_is_a_branch_not_the_centre() {
    let v = det(
        Lang::Kk,
        "Қазақстан Коммунистік халық партиясы Павлодар облыстық комитетінің пленумында \
         бірінші хатшы болып Бауыржан Омаров сайланды. Комитетті бұған дейін басқарған \
         Сәуле Бекова зейнетке шығуына байланысты қызметінен босатылды.",
    );
    let a = find(&v, "Омаров");
    check(
        a,
        Role::FirstSecretary,
        Event::Elected,
        "KZ-55",
        Level::Region,
    );
    assert_eq!(a.party, "QHP");
    let b = find(&v, "Бекова");
    assert_eq!(b.role, Role::FirstSecretary, "{b:#?}");
    assert_eq!(b.region, "KZ-55", "{b:#?}");
}

#[test]
fn successor_phrasings_fill_the_post_just_vacated() {
    let v = det(
        Lang::En,
        "The AMANAT Atyrau regional branch's bureau dismissed deputy chairwoman Gulnar \
         Ospanova for breaching party ethics. The vacancy was filled by Yerbol Tasov.",
    );
    assert_eq!(v.len(), 2, "{v:#?}");
    let b = find(&v, "Tasov");
    check(
        b,
        Role::DeputyChair,
        Event::Appointed,
        "KZ-23",
        Level::Region,
    );
    let v = det(
        Lang::Ru,
        "Бюро Костанайского областного филиала партии AMANAT освободило от должности \
         заместителя председателя Армана Жунусова. Эту должность занял Данияр Ибраев.",
    );
    let b = find(&v, "Ибраев");
    check(
        b,
        Role::DeputyChair,
        Event::Appointed,
        "KZ-39",
        Level::Region,
    );
}

#[test]
fn taking_a_state_post_or_a_prize_is_not_a_successor() {
    let v = det(
        Lang::Ru,
        "Председатель Костанайского областного филиала AMANAT Арман Жунусов сложил \
         полномочия. В 2019 году Данияр Ибраев занял пост акима Аулиекольского района.",
    );
    assert_eq!(v.len(), 1, "{v:#?}");
    assert!(v[0].person.contains("Жунусов"), "{v:#?}");
    let v = det(
        Lang::Ru,
        "Команда Костанайского филиала AMANAT заняла первое место на турнире. Капитаном \
         был Данияр Ибраев.",
    );
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn ru_participle_clause_place_is_a_previous_job() {
    let v = det(
        Lang::Ru,
        "В Жамбылском областном филиале партии AMANAT сменился руководитель. \
         Председателем филиала избран Айдос Сериков, возглавлявший общественную приемную \
         партии в Карасайском районе Алматинской области.",
    );
    assert_eq!(v.len(), 1, "{v:#?}");
    check(&v[0], Role::Chair, Event::Elected, "KZ-31", Level::Region);
    assert_eq!(v[0].district, None);
}

#[test]
fn kk_acting_duties_handed_over_in_other_words() {
    let head = "AMANAT партиясы Павлодар облыстық филиалының Ақсу қалалық филиалының \
                төрағасы Ерлан Ахметов өз өтінішімен орнынан түсті. ";
    for tail in [
        "Төрағаның міндетін уақытша атқару Мәдина Жақыповаға жүктелді.",
        "Бюро Мәдина Жақыповаға филиал төрағасының міндетін уақытша атқаруды тапсырды.",
    ] {
        let v = det(Lang::Kk, &format!("{head}{tail}"));
        assert_eq!(v.len(), 2, "{v:#?}");
        let b = find(&v, "Жақыпова");
        check(b, Role::Chair, Event::Appointed, "KZ-55", Level::City);
        assert!(b.acting, "{b:#?}");
        assert_eq!(b.district.as_deref(), Some("Aksu"), "{b:#?}");
    }
    // handing over one's own powers is still a resignation
    let v = det(
        Lang::Kk,
        "AMANAT партиясы Павлодар облыстық филиалының төрағасы Ерлан Ахметов \
         өкілеттігін тапсырды.",
    );
    let a = find(&v, "Ахметов");
    check(a, Role::Chair, Event::Resigned, "KZ-55", Level::Region);
}

#[test]
fn a_place_adjective_before_the_party_names_the_topic_branch() {
    check_rows(&[(
        Lang::Ru,
        "Перемены в карагандинском «Ак жоле»\nВо вторник бюро политсовета филиала утвердило Армана Касенова первым заместителем председателя филиала.",
        &[("Арман Касенов", Role::FirstDeputyChair, Event::Appointed)],
    )]);
    let v = det(
        Lang::Ru,
        "Перемены в карагандинском «Ак жоле»\nВо вторник бюро политсовета филиала утвердило Армана Касенова первым заместителем председателя филиала.",
    );
    assert_eq!(find(&v, "Касенов").region, "KZ-35");
}

#[test]
fn ru_place_adjectives_with_a_soft_sign() {
    let v = det(
        Lang::Ru,
        "Председателем Баянаульского районного филиала партии «Ак жол» избран Серик Нуров.",
    );
    check(
        find(&v, "Нуров"),
        Role::Chair,
        Event::Elected,
        "KZ-55",
        Level::District,
    );
}
